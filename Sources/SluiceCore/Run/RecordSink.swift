/// Where committed batches go: PostgreSQL in production, memory in tests.
///
/// A sink works in two steps so that the CPU work of a batch (encoding COPY text) happens off
/// the sink's connection: `prepare` turns a finished batch into what `commit` writes, and
/// `commit` makes it durable, all or nothing, exactly once per batch sequence.
public protocol RecordSink: Sendable {
    associatedtype Prepared: PreparedBatch

    /// Turns a batch whose stages are done into what `commit` writes.
    func prepare(_ batch: RecordBatch) throws -> Prepared

    /// Writes one prepared batch durably: its rows, rejections, checkpoint and counters,
    /// together. Throwing leaves nothing of the batch behind.
    func commit(_ batch: Prepared) async throws
}

/// What the flow needs to know about a prepared batch, whatever the sink.
public protocol PreparedBatch: Sendable {
    var sequence: Int { get }
    var startOffset: Int64 { get }
    var nextOffset: Int64 { get }
    var counters: RunCounters { get }
}
