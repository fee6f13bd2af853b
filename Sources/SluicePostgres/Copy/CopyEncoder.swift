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
    /// Whether accepted rows carry their raw record.
    public let keepRaw: Bool

    public init(runID: UUID, columns: [String], keepRaw: Bool = true) {
        self.runID = Array(runID.uuidString.lowercased().utf8)
        self.runUUID = withUnsafeBytes(of: runID.uuid) { Array($0) }
        self.columns = columns
        self.keepRaw = keepRaw
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
    /// values without looking for bytes to escape. The buffer is sized exactly in a first
    /// pass over the offsets.
    public func encodeAccepted(_ batch: RecordBatch, allocator: ByteBufferAllocator = ByteBufferAllocator()) -> ByteBuffer {
        let rows = batch.rowCount
        let columnCount = batch.columnCount
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
                        for column in 0..<columnCount { size += Int(ends[base + column] - starts[base + column]) }
                        if keepRaw { size += Int(batch.rawEnds[row] - batch.rawStarts[row]) }
                    }
                }
            }
        }
        guard acceptedRows > 0 else { return allocator.buffer(capacity: 0) }
        size += acceptedRows * perRow + CopyBinaryWriter.headerSize + CopyBinaryWriter.trailerSize
        var buffer = allocator.buffer(capacity: size)
        batch.arena.withUnsafeBufferPointer { arena in
            runUUID.withUnsafeBufferPointer { runUUID in
                batch.valueStarts.withUnsafeBufferPointer { starts in
                    batch.valueEnds.withUnsafeBufferPointer { ends in
                        let bytes = arena.baseAddress ?? UnsafePointer(bitPattern: 1)!
                        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { output in
                            var writer = CopyBinaryWriter(base: output.baseAddress!.assumingMemoryBound(to: UInt8.self))
                            writer.writeHeader()
                            for row in 0..<rows where batch.status[row] == .accepted {
                                writer.int16(Int16(fieldCount))
                                writer.bytes(runUUID)
                                writer.bigint(batch.lines[row])
                                writer.bigint(batch.offsets[row])
                                let base = row * columnCount
                                for column in 0..<columnCount {
                                    writer.text(bytes, start: Int(starts[base + column]), end: Int(ends[base + column]), emptyIsNull: true)
                                }
                                if keepRaw {
                                    writer.text(bytes, start: Int(batch.rawStarts[row]), end: Int(batch.rawEnds[row]), emptyIsNull: false)
                                }
                            }
                            writer.writeTrailer()
                            precondition(writer.count == size, "binary COPY size computed as \(size), written \(writer.count)")
                            return writer.count
                        }
                    }
                }
            }
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
