import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle
import SluiceCore
import SluiceJobs
import SluicePostgres
import Synchronization

/// Makes received notifications durable before they are answered, many per commit.
///
/// A request hands its notification to `record` and waits. Writers (a few, as a `Service`)
/// take everything waiting, up to `maxBatch`, and write it in one statement, hence one
/// transaction: the notifications (a duplicate only counts up on the row already there) and
/// one processing job for the new ones. Then every waiting request is answered. Under load
/// a commit carries many notifications, so a durable commit (fsync) is paid once per batch,
/// not once per request; when idle a batch is one notification and waits for nobody.
public final class NotificationJournal: Service, Sendable {
    /// The job kind that processes stored notifications.
    public static let jobKind = "notifications"

    private struct Waiting {
        var incoming: IncomingNotification
        var continuation: CheckedContinuation<JournalReceipt?, any Error>
    }

    private struct State {
        var waiting: [Waiting] = []
        var idleWriters: [CheckedContinuation<Void, Never>] = []
        /// Writers that may still take what waits: a notification is queued only while one is.
        var activeWriters = 0
        var stopping = false
    }

    let source: any ConnectionSource
    let queue: JobQueue?
    let writers: Int
    let maxBatch: Int
    let metrics = ReconciliationMetrics()
    let logger: Logger
    private let state = Mutex(State())

    /// - Parameters:
    ///   - queue: woken when jobs were added; `nil` leaves the workers to poll.
    ///   - writers: batches written at once: while one commits, the next fills.
    public init(source: any ConnectionSource, queue: JobQueue?, writers: Int = 2, maxBatch: Int = 256, logger: Logger) {
        self.source = source
        self.queue = queue
        self.writers = max(writers, 1)
        self.maxBatch = max(maxBatch, 1)
        self.logger = logger
    }

    /// Stores `incoming` and returns once it is committed.
    public func record(_ incoming: IncomingNotification) async throws -> JournalReceipt {
        let receipt = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<JournalReceipt?, any Error>) in
            let (queued, writer) = state.withLock { state -> (Bool, CheckedContinuation<Void, Never>?) in
                guard state.activeWriters > 0 else { return (false, nil) }
                state.waiting.append(Waiting(incoming: incoming, continuation: continuation))
                return (true, state.idleWriters.popLast())
            }
            if queued { writer?.resume() } else { continuation.resume(returning: nil) }
        }
        if let receipt { return receipt }
        // No writer runs (a test's routes, or after shutdown): the request writes its own batch.
        return try await write([incoming]).first ?? .stored
    }

    public func run() async throws {
        state.withLock {
            $0.activeWriters = writers
            $0.stopping = false
        }
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<writers {
                    group.addTask { await self.writeLoop() }
                }
            }
        } onGracefulShutdown: {
            self.stop()
        }
    }

    /// Writers finish what is waiting, then return.
    func stop() {
        let idle = state.withLock { state in
            state.stopping = true
            defer { state.idleWriters.removeAll() }
            return state.idleWriters
        }
        idle.forEach { $0.resume() }
    }

    private func writeLoop() async {
        while true {
            await waitForWork()
            let taken = state.withLock { state -> [Waiting]? in
                if state.waiting.isEmpty {
                    guard state.stopping else { return [] }
                    state.activeWriters -= 1
                    return nil
                }
                let count = min(state.waiting.count, maxBatch)
                defer { state.waiting.removeFirst(count) }
                return Array(state.waiting.prefix(count))
            }
            guard let taken else { return }
            if taken.isEmpty { continue }
            do {
                let started = ContinuousClock.now
                let receipts = try await write(taken.map(\.incoming))
                metrics.committed(taken.count, after: ContinuousClock.now - started)
                for (waiting, receipt) in zip(taken, receipts) { waiting.continuation.resume(returning: receipt) }
                if receipts.contains(.stored) { await queue?.wake(Self.jobKind) }
            } catch {
                logger.error("cannot store notifications", metadata: ["count": "\(taken.count)", "error": "\(error)"])
                for waiting in taken { waiting.continuation.resume(throwing: error) }
            }
        }
    }

    /// Returns when a notification waits, or the journal stops.
    private func waitForWork() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (wake: CheckedContinuation<Void, Never>) in
                let ready = state.withLock { state -> Bool in
                    if !state.waiting.isEmpty || state.stopping { return true }
                    state.idleWriters.append(wake)
                    return false
                }
                if ready { wake.resume() }
            }
        } onCancel: {
            stop()
        }
    }

    /// Writes `batch` in one statement and says what became of each, in order.
    func write(_ batch: [IncomingNotification]) async throws -> [JournalReceipt] {
        // One row per distinct notification; repeats within the batch count as duplicates.
        var firstByKey: [String: Int] = [:]
        var rows: [Int] = []
        var extra: [Int: Int] = [:]
        for (index, incoming) in batch.enumerated() {
            guard incoming.signatureOK else {
                rows.append(index)
                continue
            }
            if let first = firstByKey[incoming.key] {
                extra[first, default: 0] += 1
            } else {
                firstByKey[incoming.key] = index
                rows.append(index)
            }
        }
        let items = rows.map { batch[$0] }
        let terminals = items.map(\.terminal), uniqueIDs = items.map(\.notification.uniqueID)
        let transactionIDs = items.map { $0.notification.transactionID ?? "" }, types = items.map(\.notification.transactionType)
        let statuses = items.map(\.notification.status), events = items.map(\.notification.event), signed = items.map(\.signatureOK)
        let bodies = items.map(\.body), addresses = items.map(\.sourceAddress), duplicates = rows.map { extra[$0] ?? 0 }
        let inserted: [String: Bool] = try await source.withConnection("store notifications", logger: logger) { connection in
            let result = try await connection.query("""
                WITH input AS (
                    SELECT * FROM unnest(\(terminals)::text[], \(uniqueIDs)::text[], \(transactionIDs)::text[], \(types)::text[],
                                         \(statuses)::text[], \(events)::text[], \(signed)::bool[], \(bodies)::text[], \(addresses)::text[],
                                         \(duplicates)::int4[]) WITH ORDINALITY
                        AS i(terminal, unique_id, transaction_id, transaction_type, status, event, signature_ok, body, source_address, duplicates, n)),
                written AS (
                    INSERT INTO sluice.notifications AS s
                        (terminal, unique_id, transaction_id, transaction_type, status, event, signature_ok, body, source_address, duplicates)
                    SELECT terminal, unique_id, transaction_id, transaction_type, status, event, signature_ok, body, source_address, duplicates
                    -- In key order: two batches sharing notifications lock them in one order, never in a circle.
                    FROM input ORDER BY unique_id, transaction_type, status, event, n
                    ON CONFLICT (unique_id, transaction_type, status, event) WHERE signature_ok
                    DO UPDATE SET duplicates = s.duplicates + EXCLUDED.duplicates + 1, last_received_at = now()
                    RETURNING s.id, s.unique_id, s.transaction_type, s.status, s.event, s.signature_ok, (s.xmax = 0) AS inserted),
                job AS (
                    INSERT INTO sluice.jobs (kind, queue, payload, max_attempts)
                    SELECT \(Self.jobKind), \(JobQueue.defaultQueue), jsonb_build_object('ids', jsonb_agg(id ORDER BY id)), 50
                    FROM written WHERE inserted AND signature_ok HAVING count(*) > 0
                    RETURNING id)
                SELECT unique_id, transaction_type, status, event, inserted FROM written WHERE signature_ok
                """, logger: logger)
            var inserted: [String: Bool] = [:]
            for try await (uniqueID, type, status, event, new) in result.decode((String, String, String, String, Bool).self) {
                inserted[[uniqueID, type, status, event].joined(separator: "\u{1F}")] = new
            }
            return inserted
        }
        return batch.enumerated().map { index, incoming in
            guard incoming.signatureOK else { return .signatureFailed }
            let first = firstByKey[incoming.key] == index
            return first && inserted[incoming.key] == true ? .stored : .duplicate
        }
    }
}
