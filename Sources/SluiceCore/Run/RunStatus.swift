/// Where a run stands, as `sluice.runs.status` stores it. Defined once, used by the database
/// layer, the engine, the CLI and reports.
public enum RunStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// Recorded, not started yet.
    case created
    /// A process holds the run's lease and loads batches.
    case running
    /// Every row was read, and the run's rows add up.
    case completed
    /// Stopped by an error; another start resumes it from its last checkpoint.
    case failed
    /// Rejected more rows than its error budget allows; its rows were removed.
    case failedBudget = "failed_budget"
    /// Stopped by a signal (SIGTERM, SIGINT) after committing what was complete; resumable.
    case interrupted
    /// Stopped on purpose by an operator; keeps what it committed. Only an explicit resume
    /// (`--resume RUN_ID`) continues it.
    case cancelled

    /// Statuses that a plain start of the same object resumes.
    public static let resumable: [RunStatus] = [.created, .running, .failed, .interrupted]

    public var isResumable: Bool { Self.resumable.contains(self) }

    /// No further change happens to a run in this status.
    public var isFinal: Bool { self == .completed || self == .failedBudget }

    /// `'created', 'running', …` for SQL `IN (…)` lists.
    public static func sqlList(_ statuses: [RunStatus]) -> String {
        statuses.map { "'\($0.rawValue)'" }.joined(separator: ", ")
    }
}
