/// One step of a pipeline that inspects a batch in place.
///
/// A stage reads mapped values, may point values at normalised bytes it appends to the
/// arena, and marks rows rejected with reason codes. It never removes or reorders rows,
/// so lineage and checkpoints stay valid. Stages are values shared across batches, so they
/// must be `Sendable`; per-run state lives behind the stage's own synchronisation.
public protocol Stage: Sendable {
    /// A short name for logs, errors and counters, e.g. `map`, `validate`.
    var name: StageName { get }

    /// Processes one batch. Throwing fails the run; a bad row is a rejection, not an error.
    func process(_ batch: inout RecordBatch) async throws

    /// How many batches the stage may work on at once (default 1). Batches leave the stage in
    /// their order whatever the order they finish in, so checkpoints stay ordered.
    var maxConcurrentBatches: Int { get }
}
