import Foundation
import Logging
import PostgresNIO
import SluiceCore
import SluicePostgres

/// A durable job queue in `sluice.jobs`: enqueue, claim with a lease, heartbeat, finish.
///
/// Delivery is at least once: a job whose worker vanished is rescued when its lease expires and
/// runs again, so handlers must be idempotent. Every write about a claimed job names its lease
/// token (fencing): a worker whose lease expired, was rescued or cancelled cannot complete or fail
/// the job any more. Each call is one short statement or transaction; nothing lives in the session,
/// so the queue works behind PgBouncer in transaction pooling mode (only `LISTEN` does not, see
/// `JobWorkerConfiguration.wakeups`).
///
/// ```swift
/// let queue = JobQueue(source: PooledConnections(client: client), logger: logger)
/// try await queue.enqueue(kind: "load", payload: ["uri": "s3://in/a.csv"], dedupeKey: "load:s3://in/a.csv@etag")
/// ```
public struct JobQueue: Sendable {
    public let source: any ConnectionSource
    public let configuration: JobQueueConfiguration
    let logger: Logger
    let throttle: NotifyThrottle

    public init(source: any ConnectionSource, configuration: JobQueueConfiguration = .init(), logger: Logger) {
        self.source = source
        self.configuration = configuration
        self.logger = logger
        self.throttle = NotifyThrottle(interval: configuration.notifyDebounce)
    }

    // MARK: Enqueue

    /// Adds a job. With a `dedupeKey`, a second enqueue of the same key adds nothing and returns
    /// the first job (whatever its state): the key names the work, not the attempt.
    ///
    /// - Parameters:
    ///   - kind: which handler runs it.
    ///   - payload: encoded as JSON.
    ///   - maxAttempts: attempts before it is `dead`; the configuration's default when `nil`.
    ///   - runAfter: not claimed before this time; now when `nil`.
    ///   - dedupeKey: unique among all jobs kept in the table.
    @discardableResult
    public func enqueue(
        kind: String, queue: String = JobQueue.defaultQueue, payload: some Encodable & Sendable, maxAttempts: Int? = nil, runAfter: Date? = nil,
        dedupeKey: String? = nil
    ) async throws -> EnqueuedJob {
        let json = try Self.encode(payload)
        let attempts = max(maxAttempts ?? configuration.defaultMaxAttempts, 1)
        return try await withConnection("enqueue a job") { connection in
            let inserted = try await connection.query("""
                INSERT INTO sluice.jobs (kind, queue, payload, max_attempts, run_after, dedupe_key)
                VALUES (\(kind), \(queue), \(json)::jsonb, \(attempts), coalesce(\(runAfter)::timestamptz, now()), \(dedupeKey))
                ON CONFLICT (dedupe_key) DO NOTHING
                RETURNING id, run_after <= now()
                """, logger: logger)
            var added: (id: Int64, ready: Bool)?
            for try await row in inserted.decode((Int64, Bool).self) { added = row }
            if let added {
                // The INSERT has committed (autocommit): a woken worker finds the row.
                if added.ready { await notify(kind, on: connection) }
                return EnqueuedJob(id: added.id, inserted: true)
            }
            // ON CONFLICT waited for the other insert to commit, so its row is visible now.
            let existing = try await connection.query("SELECT id FROM sluice.jobs WHERE dedupe_key = \(dedupeKey)", logger: logger)
            var found: Int64?
            for try await id in existing.decode(Int64.self) { found = id }
            if let found { return EnqueuedJob(id: found, inserted: false) }
            throw SluiceError(.database, "a job with this dedupe key was being enqueued and vanished")
        }
    }

    /// Adds one job per payload, in one statement, and returns their ids in payload order.
    @discardableResult
    public func enqueue(
        kind: String, queue: String = JobQueue.defaultQueue, payloads: [some Encodable & Sendable], maxAttempts: Int? = nil, runAfter: Date? = nil
    ) async throws -> [Int64] {
        guard !payloads.isEmpty else { return [] }
        let json = try payloads.map(Self.encode)
        let attempts = max(maxAttempts ?? configuration.defaultMaxAttempts, 1)
        return try await withConnection("enqueue jobs") { connection in
            let rows = try await connection.query("""
                INSERT INTO sluice.jobs (kind, queue, payload, max_attempts, run_after)
                SELECT \(kind), \(queue), p.payload::jsonb, \(attempts), coalesce(\(runAfter)::timestamptz, now())
                FROM unnest(\(json)::text[]) WITH ORDINALITY AS p(payload, n) ORDER BY p.n
                RETURNING id
                """, logger: logger)
            var ids: [Int64] = []
            for try await id in rows.decode(Int64.self) { ids.append(id) }
            if runAfter.map({ $0 <= Date() }) ?? true { await notify(kind, on: connection) }
            return ids.sorted()
        }
    }

    /// Wakes listening workers for `kind` after jobs were added by a statement of another
    /// module's (the notification journal writes its jobs with its own rows); throttled like
    /// `enqueue`'s own, best effort.
    public func wake(_ kind: String) async {
        guard configuration.notifyOnEnqueue, throttle.admit(kind) else { return }
        do {
            try await source.withConnection(logger: logger) { connection in
                try await connection.query("SELECT pg_notify(\(configuration.channel), \(kind))", logger: logger)
            }
        } catch {
            logger.debug("cannot notify workers; they will poll", metadata: ["kind": "\(kind)", "error": "\(error)"])
        }
    }

    /// Wakes listening workers for `kind`; best effort, polling covers a miss.
    func notify(_ kind: String, on connection: PostgresConnection) async {
        guard configuration.notifyOnEnqueue, throttle.admit(kind) else { return }
        do {
            try await connection.query("SELECT pg_notify(\(configuration.channel), \(kind))", logger: logger)
        } catch {
            logger.debug("cannot notify workers; they will poll", metadata: ["kind": "\(kind)", "error": "\(error)"])
        }
    }

    // MARK: Claim

    /// Claims up to `limit` ready jobs of `kinds`, oldest `run_after` first, in one short
    /// statement: the CTE locks ready rows with `FOR UPDATE SKIP LOCKED` (so concurrent claimers
    /// never wait for nor take each other's rows) and the UPDATE marks them running, counts the
    /// attempt and gives each a fresh lease token. It commits before any work starts.
    /// The queue of jobs that name none.
    public static let defaultQueue = "default"

    /// Claims up to `limit` ready jobs of `kinds` waiting in `queues` (every queue when `nil`).
    public func claim(kinds: [String], queues: [String]? = nil, owner: String, limit: Int = 1, leaseTTL: Duration) async throws -> [ClaimedJob] {
        guard !kinds.isEmpty, limit > 0 else { return [] }
        return try await withConnection("claim jobs") { connection in
            let rows = try await connection.query("""
                WITH ready AS (
                    SELECT id FROM sluice.jobs
                    WHERE state IN ('available', 'retryable') AND run_after <= now() AND kind = ANY(\(kinds))
                      AND (\(queues)::text[] IS NULL OR queue = ANY(\(queues)))
                    ORDER BY run_after, id
                    LIMIT \(limit)
                    FOR UPDATE SKIP LOCKED
                )
                UPDATE sluice.jobs AS j SET state = 'running', attempt = j.attempt + 1, lease_owner = \(owner),
                    lease_token = gen_random_uuid(), lease_expires_at = now() + \(leaseTTL.seconds) * interval '1 second',
                    updated_at = now()
                FROM ready WHERE j.id = ready.id
                RETURNING j.id, j.kind, j.payload::text, j.attempt, j.max_attempts, j.lease_token, j.created_at
                """, logger: logger)
            var jobs: [ClaimedJob] = []
            for try await (id, kind, payload, attempt, maxAttempts, token, createdAt) in rows.decode((Int64, String, String, Int, Int, UUID, Date).self) {
                jobs.append(ClaimedJob(
                    id: id, kind: kind, payload: payload, attempt: attempt, maxAttempts: maxAttempts,
                    owner: owner, leaseToken: token, leaseTTL: leaseTTL, createdAt: createdAt))
            }
            return jobs.sorted { $0.id < $1.id }
        }
    }

    // MARK: Helpers

    static func encode(_ payload: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        do {
            return String(decoding: try encoder.encode(payload), as: UTF8.self)
        } catch {
            throw SluiceError(.invalidArgument, "the job's payload cannot be encoded as JSON", underlying: error)
        }
    }

    /// Runs `body` with a connection; errors that are not Sluice's become `database` errors naming `action`.
    func withConnection<T>(_ action: String, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await source.withConnection(action, logger: logger, body)
    }

    /// The error of a write refused because the job's lease token changed.
    static func leaseLost(_ job: ClaimedJob, doing action: String) -> SluiceError {
        SluiceError(.leaseLost, """
            this worker no longer holds job \(job.id) (its lease expired and it was rescued, or it was cancelled), \
            so it cannot \(action); nothing was written
            """)
    }
}
