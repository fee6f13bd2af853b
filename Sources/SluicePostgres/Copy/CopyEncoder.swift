import NIOCore
import SluiceCore

/// Encodes a batch for COPY straight from its arena: accepted rows for the target table,
/// and one row per reason for `sluice.rejections`.
public struct CopyEncoder: Sendable {
    /// The run's id as text, written into every row.
    let runID: [UInt8]
    /// Canonical column names, in value-table order.
    public let columns: [String]
    /// Whether accepted rows carry their raw record.
    public let keepRaw: Bool

    public init(runID: String, columns: [String], keepRaw: Bool = true) {
        self.runID = Array(runID.utf8)
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

    /// COPY text for the accepted rows of `batch`. Empty values become NULL.
    public func encodeAccepted(_ batch: RecordBatch, allocator: ByteBufferAllocator = ByteBufferAllocator()) -> ByteBuffer {
        let rows = batch.rowCount
        let perRow = runID.count + 2 * 21 + (batch.columnCount + 4) * 3
        let capacity = CopyTextWriter.worstCase(byteCount: 2 * batch.arena.count) + rows * perRow + 16
        var buffer = allocator.buffer(capacity: capacity)
        batch.arena.withUnsafeBufferPointer { arena in
            CopyTextWriter.needsEscape.withUnsafeBufferPointer { escapes in
                guard let bytes = arena.baseAddress ?? UnsafePointer(bitPattern: 1), let escapes = escapes.baseAddress else { return }
                buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: capacity) { output in
                    var writer = CopyTextWriter(base: output.baseAddress!.assumingMemoryBound(to: UInt8.self))
                    let columnCount = batch.columnCount
                    for row in 0..<rows where batch.status[row] == .accepted {
                        writer.plain(runID)
                        writer.tab()
                        writer.integer(batch.lines[row])
                        writer.tab()
                        writer.integer(batch.offsets[row])
                        let base = row * columnCount
                        for column in 0..<columnCount {
                            writer.tab()
                            writer.text(bytes, start: Int(batch.valueStarts[base + column]), end: Int(batch.valueEnds[base + column]),
                                        escapes: escapes, emptyIsNull: true)
                        }
                        if keepRaw {
                            writer.tab()
                            writer.text(bytes, start: Int(batch.rawStarts[row]), end: Int(batch.rawEnds[row]), escapes: escapes, emptyIsNull: false)
                        }
                        writer.endRow()
                    }
                    return writer.count
                }
            }
        }
        return Self.fitted(buffer, allocator: allocator)
    }

    /// The encoder reserves room for the worst case (every byte escaped), about four times
    /// what a batch needs. Batches wait in channels and sinks, so keep only what was written.
    static func fitted(_ buffer: ByteBuffer, allocator: ByteBufferAllocator) -> ByteBuffer {
        guard buffer.capacity > buffer.readableBytes + buffer.readableBytes / 4 + 4096 else { return buffer }
        var exact = allocator.buffer(capacity: buffer.readableBytes)
        exact.writeImmutableBuffer(buffer)
        return exact
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
                        if let value {
                            Array(value.utf8).withUnsafeBufferPointer { text in
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
