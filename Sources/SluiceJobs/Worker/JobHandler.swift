/// Runs the jobs of one kind.
///
/// Delivery is at least once: a job runs again when its worker died, stalled past its lease or
/// was stopped, so `run` must be idempotent (a load is: its run identity makes a second start
/// resume or find it done). Return to complete the job; throw to fail the attempt (it is retried
/// with backoff, or `dead` after its last attempt). Honour task cancellation: a handler is
/// cancelled when its lease is lost or graceful shutdown runs out of time.
///
/// ```swift
/// struct LoadObject: JobHandler {
///     let kind = "load"
///     func run(_ job: ClaimedJob) async throws {
///         let request = try job.decodePayload(as: LoadRequest.self)
///         …
///     }
/// }
/// ```
public protocol JobHandler: Sendable {
    /// The kind of job this handler runs; a worker claims only kinds it has a handler for.
    var kind: String { get }
    func run(_ job: ClaimedJob) async throws
}
