/// Collects a report's bytes into chunks of about `chunkSize` for a caller that sends them
/// on (an HTTP response body): the caller takes a chunk whenever one is full, so the report's
/// memory stays one chunk however many rows it has.
public final class ChunkedReportOutput: ReportOutput {
    public let chunkSize: Int
    private var buffer: [UInt8] = []
    private var closed = false

    public init(chunkSize: Int = 64 << 10) {
        self.chunkSize = chunkSize
        buffer.reserveCapacity(chunkSize)
    }

    public func write(_ bytes: [UInt8]) throws {
        precondition(!closed, "write after close")
        buffer.append(contentsOf: bytes)
    }

    public func close() throws {
        closed = true
    }

    /// The bytes collected so far once they fill a chunk (or, after `close`, whatever is
    /// left); `nil` while a chunk is still filling.
    public func takeChunk() -> [UInt8]? {
        guard buffer.count >= chunkSize || (closed && !buffer.isEmpty) else { return nil }
        defer { buffer.removeAll(keepingCapacity: true) }
        return buffer
    }
}
