import Foundation

/// A job as `sluice.jobs` holds it, for listings and tests.
public struct JobRecord: Sendable, Hashable {
    public var id: Int64
    public var kind: String
    /// The payload as JSON text.
    public var payload: String
    public var state: JobState
    /// Attempts started so far.
    public var attempt: Int
    public var maxAttempts: Int
    /// Not claimed before this time.
    public var runAfter: Date
    public var leaseOwner: String?
    public var leaseExpiresAt: Date?
    /// The error of the last failed attempt, kept when the job is retried or dead.
    public var lastError: String?
    public var dedupeKey: String?
    public var createdAt: Date
    public var updatedAt: Date
    public var finishedAt: Date?
}

/// One page of a job listing, newest first.
public struct JobPage: Sendable, Hashable {
    public var jobs: [JobRecord]
    /// Pass as `before` for the next page; `nil` on the last page.
    public var nextCursor: Int64?
}

/// The result of an enqueue.
public struct EnqueuedJob: Sendable, Hashable {
    public var id: Int64
    /// `false` when a job with the same dedupe key already existed; `id` is that job's.
    public var inserted: Bool
}

/// A running job whose lease had expired, as `rescueExpired` left it.
public struct RescuedJob: Sendable, Hashable {
    public var id: Int64
    public var kind: String
    /// `retryable` (with a backoff), or `dead` when its attempts were used up.
    public var state: JobState
    /// The owner whose lease expired.
    public var formerOwner: String
}

/// How one kind of job is doing, for metrics.
public struct QueueDepth: Sendable, Hashable {
    public var kind: String
    /// Waiting jobs whose `run_after` has passed.
    public var ready: Int64
    /// Waiting jobs whose `run_after` is still ahead (retries, delayed jobs).
    public var scheduled: Int64
    public var running: Int64
    /// How long the oldest ready job has waited since its `run_after`, in seconds; 0 when none.
    public var oldestReadySeconds: Double
}
