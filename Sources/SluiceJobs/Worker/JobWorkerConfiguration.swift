import Foundation

/// How a `JobWorkerService` works: how many jobs at once, its leases, how it learns of new jobs
/// and how it stops.
public struct JobWorkerConfiguration: Sendable, Hashable {
    /// How a worker learns that jobs are ready.
    public enum Wakeups: String, Sendable, Hashable {
        /// `LISTEN` on the queue's channel over a dedicated connection, reconnecting when it drops,
        /// and polling every `pollInterval` for retries, delayed jobs and missed notifications.
        case listen
        /// Polling only. The one mode that works through PgBouncer in transaction pooling mode,
        /// which does not keep a session for `LISTEN`.
        case poll
    }

    /// Jobs run at once: one worker each, in the service's task group.
    public var concurrency: Int
    /// A claimed job's lease lasts this long after its claim and each heartbeat; heartbeats
    /// come every third of it. A job whose worker died runs again after at most this long.
    public var leaseTTL: Duration
    public var wakeups: Wakeups
    /// An idle worker claims at least this often.
    public var pollInterval: Duration
    /// How often the service moves running jobs whose lease expired back to `retryable`.
    public var rescueInterval: Duration
    /// On graceful shutdown, how long running jobs may take to finish before they are cancelled
    /// and released (given back, the attempt not counted).
    public var shutdownGracePeriod: Duration
    /// The lease owner: `host/pid` by default; each worker adds `#n`.
    public var owner: String
    /// The queues this service claims from; every queue when `nil`.
    public var queues: [String]?
    /// Completed and cancelled jobs are deleted this long after they finished, dead ones four
    /// times as long (by the rescuer, a batch at a time); `nil` keeps them.
    public var retention: Duration?

    public init(
        concurrency: Int = 4,
        leaseTTL: Duration = .seconds(30),
        wakeups: Wakeups = .listen,
        pollInterval: Duration = .seconds(1),
        rescueInterval: Duration = .seconds(15),
        shutdownGracePeriod: Duration = .seconds(25),
        owner: String = JobWorkerConfiguration.processOwner,
        queues: [String]? = nil,
        retention: Duration? = .seconds(7 * 86_400)
    ) {
        self.queues = queues
        self.retention = retention
        self.concurrency = max(concurrency, 1)
        self.leaseTTL = leaseTTL
        self.wakeups = wakeups
        self.pollInterval = pollInterval
        self.rescueInterval = rescueInterval
        self.shutdownGracePeriod = shutdownGracePeriod
        self.owner = owner
    }

    /// This process as a lease owner: `host/pid`.
    public static let processOwner: String = {
        var buffer = [CChar](repeating: 0, count: 256)
        // `gethostname` rather than `ProcessInfo.hostName`, which may wait on a DNS lookup.
        let host = gethostname(&buffer, buffer.count) == 0
            ? String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            : "unknown"
        return "\(host)/\(ProcessInfo.processInfo.processIdentifier)"
    }()
}
