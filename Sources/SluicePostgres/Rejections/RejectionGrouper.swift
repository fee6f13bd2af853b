import NIOCore

/// Folds consecutive rejection rows with the same batch and line into one `RejectedRecord`.
///
/// The rows must arrive ordered by line and batch: a record is complete when a row of
/// another (batch, line) arrives.
struct RejectionGrouper {
    private var current: RejectedRecord?

    /// Adds a row; returns the previous record when this row starts a new one.
    mutating func add(batch: Int, line: Int64, offset: Int64, raw: @autoclosure () -> ByteBuffer, reason: RejectedRecord.Reason) -> RejectedRecord? {
        if let record = current, record.batchSequence == batch, record.line == line {
            current!.reasons.append(reason)
            return nil
        }
        let finished = current
        var buffer = raw()
        current = RejectedRecord(
            batchSequence: batch, line: line, byteOffset: offset,
            raw: buffer.readBytes(length: buffer.readableBytes) ?? [], reasons: [reason])
        return finished
    }

    mutating func finish() -> RejectedRecord? {
        defer { current = nil }
        return current
    }
}
