/// Where a job is in its life, as `sluice.jobs.state` stores it.
///
/// ```
/// available ─claim→ running ─succeeded→ completed
///     ▲                │ ├─failed / lease expired, attempts left→ retryable ─(run_after)→ claim again
///     └──release───────┘ ├─failed / lease expired, attempts used up→ dead
///                        └─cancel (also from available, retryable)→ cancelled
/// ```
public enum JobState: String, Sendable, Hashable, CaseIterable, Codable {
    /// Enqueued, waiting for its `run_after`.
    case available
    /// A worker holds its lease and runs it.
    case running
    case completed
    /// An attempt failed (or its worker vanished); it waits for its backoff to pass.
    case retryable
    /// Every attempt failed; its `last_error` says why. Nobody runs it again.
    case dead
    /// An operator cancelled it; nobody runs it again.
    case cancelled

    /// Whether a worker may claim the job once its `run_after` has passed.
    public var isWaiting: Bool { self == .available || self == .retryable }

    /// Whether the job is over: completed, dead or cancelled.
    public var isFinished: Bool { self == .completed || self == .dead || self == .cancelled }
}
