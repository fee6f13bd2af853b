import Foundation
import NIOCore
import SluiceCore

/// Encodes a batch for COPY straight from its arena: accepted rows for the target table
/// (binary COPY format), and one row per reason for `sluice.rejections` (text format).
public struct CopyEncoder: Sendable {
    /// The run's id as text, written into every rejection.
    let runID: [UInt8]
    /// The run's id as the 16 bytes of a binary `uuid`, written into every accepted row.
    let runUUID: [UInt8]
    /// Canonical column names, in value-table order.
    public let columns: [String]
    /// How each column's values are written: the binary form of its declared type.
    public let encodings: [CopyValueEncoding]
    /// Whether accepted rows carry their raw record.
    public let keepRaw: Bool
    /// Whether every column is written as text (no value to parse).
    let allText: Bool

    /// - Parameters:
    ///   - columns: the target columns, in value-table order.
    ///   - types: their declared types (`text` for all when `nil`); values of other types must
    ///     be in the canonical form `TypeCastStage` writes.
    public init(runID: UUID, columns: [String], types: [ColumnType]? = nil, keepRaw: Bool = true) {
        precondition(types == nil || types?.count == columns.count, "one type per column")
        self.runID = Array(runID.uuidString.lowercased().utf8)
        self.runUUID = withUnsafeBytes(of: runID.uuid) { Array($0) }
        self.columns = columns
        self.encodings = (types ?? columns.map { _ in .text }).map(CopyValueEncoding.init)
        self.allText = encodings.allSatisfy { $0 == .text }
        self.keepRaw = keepRaw
    }

    /// An encoder for a pipeline's columns, with their declared types.
    public init(runID: UUID, columns: [ColumnSpec], keepRaw: Bool = true) {
        self.init(runID: runID, columns: columns.map(\.name), types: columns.map(\.type), keepRaw: keepRaw)
    }

    /// Target table columns in the order `encodeAccepted` writes them.
    public var targetColumns: [String] {
        ["run_id", "source_line", "source_offset"] + columns + (keepRaw ? ["raw"] : [])
    }

    public static let rejectionColumns = [
        "run_id", "batch_seq", "object_uri", "line", "byte_offset", "code", "message", "column_name", "raw", "outcome",
    ]

    /// Binary COPY data (header, rows, trailer) for the accepted rows of `batch`; empty when no
    /// row is accepted. Empty values become NULL; an empty raw record stays an empty string.
    ///
    /// Binary rather than text: PostgreSQL then parses no value (the run id alone was a `uuid`
    /// read from 36 characters a million times per million rows), and the encoder copies
    /// values without looking for bytes to escape. Typed columns are written in their type's
    /// binary form, read from the canonical text of the cast stage. The buffer is sized in a
    /// first pass over the offsets: exactly for text, at most a typed value's longest form.
    ///
    /// - Throws: `SluiceError` (`internal`) when a typed value is not in its canonical form: the
    ///   batch did not go through the cast stage.
    public func encodeAccepted(_ batch: RecordBatch, allocator: ByteBufferAllocator = ByteBufferAllocator()) throws -> ByteBuffer {
        let rows = batch.rowCount
        let columnCount = batch.columnCount
        guard allText || columnCount == encodings.count else {
            throw SluiceError(.internalError, "the COPY encoder has \(encodings.count) columns, the batch \(columnCount)", stage: .encode, object: batch.object.uri)
        }
        let fieldCount = 3 + columnCount + (keepRaw ? 1 : 0)
        let perRow = 2 + (4 + 16) + 2 * (4 + 8) + (columnCount + (keepRaw ? 1 : 0)) * CopyBinaryWriter.fieldOverhead
        var size = 0
        var acceptedRows = 0
        batch.status.withUnsafeBufferPointer { status in
            batch.valueStarts.withUnsafeBufferPointer { starts in
                batch.valueEnds.withUnsafeBufferPointer { ends in
                    for row in 0..<rows where status[row] == .accepted {
                        acceptedRows += 1
                        let base = row * columnCount
                        if allText {
                            for column in 0..<columnCount { size += Int(ends[base + column] - starts[base + column]) }
                        } else {
                            for column in 0..<columnCount {
                                let length = Int(ends[base + column] - starts[base + column])
                                if length > 0 { size += encodings[column].maxBinaryLength(textLength: length) }
                            }
                        }
                        if keepRaw { size += Int(batch.rawEnds[row] - batch.rawStarts[row]) }
                    }
                }
            }
        }
        guard acceptedRows > 0 else { return allocator.buffer(capacity: 0) }
        size += acceptedRows * perRow + CopyBinaryWriter.headerSize + CopyBinaryWriter.trailerSize
        var buffer = allocator.buffer(capacity: size)
        var misfit: (row: Int, column: Int)?
        batch.arena.withUnsafeBufferPointer { arena in
            runUUID.withUnsafeBufferPointer { runUUID in
                batch.valueStarts.withUnsafeBufferPointer { starts in
                    batch.valueEnds.withUnsafeBufferPointer { ends in
                        let bytes = arena.baseAddress ?? UnsafePointer(bitPattern: 1)!
                        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { output in
                            var writer = CopyBinaryWriter(base: output.baseAddress!.assumingMemoryBound(to: UInt8.self))
                            writer.writeHeader()
                            rowLoop: for row in 0..<rows where batch.status[row] == .accepted {
                                writer.int16(Int16(fieldCount))
                                writer.bytes(runUUID)
                                writer.bigint(batch.lines[row])
                                writer.bigint(batch.offsets[row])
                                let base = row * columnCount
                                if allText {
                                    for column in 0..<columnCount {
                                        writer.text(bytes, start: Int(starts[base + column]), end: Int(ends[base + column]), emptyIsNull: true)
                                    }
                                } else {
                                    for column in 0..<columnCount {
                                        let written = writer.value(encodings[column], bytes, start: Int(starts[base + column]), end: Int(ends[base + column]))
                                        if !written {
                                            misfit = (row, column)
                                            break rowLoop
                                        }
                                    }
                                }
                                if keepRaw {
                                    writer.text(bytes, start: Int(batch.rawStarts[row]), end: Int(batch.rawEnds[row]), emptyIsNull: false)
                                }
                            }
                            writer.writeTrailer()
                            precondition(writer.count <= size, "binary COPY size computed as at most \(size), written \(writer.count)")
                            return writer.count
                        }
                    }
                }
            }
        }
        if let misfit {
            // The value itself stays out of the message: it is row data.
            throw SluiceError(
                .internalError,
                "a value is not the canonical \(encodings[misfit.column].canonicalForm) its column's type is written from; typed columns must go through the cast stage",
                stage: .encode, object: batch.object.uri, line: batch.lines[misfit.row], column: columns[misfit.column])
        }
        return buffer
    }

    /// COPY text for `sluice.rejections`: one row per rejection reason (outcome `rejected`) and
    /// one per review code of a row that stays accepted (outcome `flagged`).
    public func encodeRejected(_ batch: RecordBatch, allocator: ByteBufferAllocator = ByteBufferAllocator()) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 0)
        let entries = batch.rejections.map { ($0, Self.rejectedOutcome) } + batch.acceptedFlags.map { ($0, Self.flaggedOutcome) }
        guard !entries.isEmpty else { return buffer }
        let uri = Array(batch.object.uri.utf8)
        var size = 16
        for (rejection, _) in entries {
            let row = Int(rejection.row)
            size += runID.count + uri.count * 2 + 3 * 21 + 32
            size += (rejection.code.rawValue.utf8.count + rejection.message.utf8.count + (rejection.column?.utf8.count ?? 2)) * 2
            size += 3 + 2 * Int(batch.rawEnds[row] - batch.rawStarts[row])
        }
        buffer.reserveCapacity(size)
        batch.arena.withUnsafeBufferPointer { arena in
            CopyTextWriter.needsEscape.withUnsafeBufferPointer { escapes in
                let bytes = arena.baseAddress ?? UnsafePointer(bitPattern: 1)!
                let escapes = escapes.baseAddress!
                buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { output in
                    var writer = CopyTextWriter(base: output.baseAddress!.assumingMemoryBound(to: UInt8.self))
                    for (rejection, outcome) in entries {
                        let row = Int(rejection.row)
                        writer.plain(runID)
                        writer.tab()
                        writer.integer(Int64(batch.sequence))
                        writer.tab()
                        writeText(uri, to: &writer, escapes: escapes)
                        writer.tab()
                        writer.integer(batch.lines[row])
                        writer.tab()
                        writer.integer(batch.offsets[row])
                        writer.tab()
                        writeText(Array(rejection.code.rawValue.utf8), to: &writer, escapes: escapes)
                        writer.tab()
                        writeText(Array(rejection.message.utf8), to: &writer, escapes: escapes)
                        writer.tab()
                        if let column = rejection.column {
                            writeText(Array(column.utf8), to: &writer, escapes: escapes)
                        } else {
                            writer.null()
                        }
                        writer.tab()
                        writer.hex(bytes, start: Int(batch.rawStarts[row]), end: Int(batch.rawEnds[row]))
                        writer.tab()
                        writer.plain(outcome)
                        writer.endRow()
                    }
                    return writer.count
                }
            }
        }
        return buffer
    }

    static let rejectedOutcome = Array("rejected".utf8)
    static let flaggedOutcome = Array("flagged".utf8)

    /// COPY text for one stage effect's rows.
    public static func encode(_ effect: StageEffect, allocator: ByteBufferAllocator = ByteBufferAllocator()) -> ByteBuffer {
        if let copyText = effect.copyText { return allocator.buffer(bytes: copyText) }
        var buffer = allocator.buffer(capacity: 0)
        var size = 16
        for row in effect.rows {
            for value in row { size += (value?.utf8.count ?? 0) * 2 + 3 }
        }
        buffer.reserveCapacity(size)
        CopyTextWriter.needsEscape.withUnsafeBufferPointer { escapes in
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { output in
                var writer = CopyTextWriter(base: output.baseAddress!.assumingMemoryBound(to: UInt8.self))
                for row in effect.rows {
                    for (index, value) in row.enumerated() {
                        if index > 0 { writer.tab() }
                        if var value {
                            // Native strings are contiguous UTF-8: no copy per value.
                            value.withUTF8 { text in
                                writer.text(text.baseAddress ?? UnsafePointer(bitPattern: 1)!, start: 0, end: text.count,
                                            escapes: escapes.baseAddress!, emptyIsNull: false)
                            }
                        } else {
                            writer.null()
                        }
                    }
                    writer.endRow()
                }
                return writer.count
            }
        }
        return buffer
    }

    private func writeText(_ text: [UInt8], to writer: inout CopyTextWriter, escapes: UnsafePointer<Bool>) {
        text.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            writer.text(base, start: 0, end: buffer.count, escapes: escapes, emptyIsNull: false)
        }
    }
}
