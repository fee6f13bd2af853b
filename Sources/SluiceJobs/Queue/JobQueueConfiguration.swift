/// How a `JobQueue` schedules retries and announces new jobs.
public struct JobQueueConfiguration: Sendable, Hashable {
    /// When a failed (or rescued) job runs again.
    public var retryPolicy: RetryPolicy
    /// Attempts a job gets when `enqueue` names none.
    public var defaultMaxAttempts: Int
    /// Whether `enqueue` sends a `NOTIFY` on `channel` (after the insert committed) so listening
    /// workers wake at once. Harmless behind PgBouncer: only `LISTEN` needs a session.
    public var notifyOnEnqueue: Bool
    /// At most one `NOTIFY` per kind per this interval from this queue: every commit with a
    /// `NOTIFY` takes PostgreSQL's notification lock, and a worker woken for the first job of a
    /// burst claims the rest without being told. Polling covers the rare miss.
    public var notifyDebounce: Duration
    /// The `LISTEN`/`NOTIFY` channel; the payload is the job's kind.
    public var channel: String

    public init(
        retryPolicy: RetryPolicy = .standard,
        defaultMaxAttempts: Int = 20,
        notifyOnEnqueue: Bool = true,
        notifyDebounce: Duration = .milliseconds(50),
        channel: String = "sluice_jobs"
    ) {
        self.retryPolicy = retryPolicy
        self.defaultMaxAttempts = defaultMaxAttempts
        self.notifyOnEnqueue = notifyOnEnqueue
        self.notifyDebounce = notifyDebounce
        self.channel = channel
    }
}
