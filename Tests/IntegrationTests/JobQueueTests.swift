import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle
import SluiceCore
import SluiceJobs
import SluicePostgres
import Synchronization
import Testing

/// The job queue (issue 11) on the real PostgreSQL: exactly-once handling under contention,
/// lease expiry and fencing, retries with backoff, dead jobs, dedupe keys, cancel, LISTEN/NOTIFY
/// wake-ups, graceful shutdown, and polling through PgBouncer in transaction pooling mode.
///
/// Every test uses kinds (and a channel) of its own, so tests never claim each other's jobs.
@Suite(.serialized)
struct JobQueueTests {
    let environment: IntegrationEnvironment
    var logger: Logger { environment.logger }

    init() throws {
        environment = try IntegrationEnvironment()
    }

    /// Short backoff for tests: 100 ms + 50 ms · 2^attempt, ±10 %.
    static let quickRetries = RetryPolicy(base: .milliseconds(100), unit: .milliseconds(50), maxDelay: .seconds(5), jitter: 0.1)

    func queue(_ source: any ConnectionSource, retries: RetryPolicy = quickRetries, channel: String = "sluice_jobs") -> JobQueue {
        JobQueue(source: source, configuration: JobQueueConfiguration(retryPolicy: retries, channel: channel), logger: logger)
    }

    // MARK: Contention

    @Test func fourWorkersHandleEachOfAThousandJobsExactlyOnce() async throws {
        try await environment.migrate()
        let kind = IntegrationEnvironment.uniqueName("contention")
        let client = PostgresClient(configuration: environment.database.clientConfiguration, backgroundLogger: logger)
        let queue = queue(PooledConnections(client: client))
        let tally = Tally()
        let workers = JobWorkerService(
            queue: queue, handlers: [CountingHandler(kind: kind, tally: tally)],
            configuration: JobWorkerConfiguration(concurrency: 4, leaseTTL: .seconds(30), pollInterval: .milliseconds(200)),
            listenOn: environment.database, logger: logger)

        try await running([client, workers]) {
            let ids = try await queue.enqueue(kind: kind, payloads: (0 ..< 1_000).map { ["n": $0] })
            #expect(ids.count == 1_000)
            try await eventually("all 1,000 jobs completed", timeout: .seconds(180)) {
                try await environment.scalar("SELECT count(*) FROM sluice.jobs WHERE kind = '\(kind)' AND state = 'completed'") == 1_000
            }
            let counts = tally.counts
            #expect(counts.count == 1_000, "every job was handled")
            #expect(counts.values.allSatisfy { $0 == 1 }, "no job was handled twice")
            #expect(Set(counts.keys) == Set(ids))
            #expect(Set(tally.owners).count > 1, "the work was spread over the workers")
        }
        #expect(try await environment.scalar("SELECT count(*) FROM sluice.jobs WHERE kind = '\(kind)' AND attempt <> 1") == 0)
        #expect(workers.snapshot.completed == 1_000)
    }

    // MARK: Leases

    @Test func aWorkerThatStopsHeartbeatingIsRescuedAndItsLateWritesAreRefused() async throws {
        try await environment.migrate()
        let kind = IntegrationEnvironment.uniqueName("lease")
        let queue = queue(environment.database)
        let enqueued = try await queue.enqueue(kind: kind, payload: ["object": "a.csv"])

        // A worker claims the job with a short lease, then "dies": it never heartbeats again.
        let dying = try #require(try await queue.claim(kinds: [kind], owner: "dying/1#0", leaseTTL: .milliseconds(500)).first)
        #expect(dying.id == enqueued.id)
        #expect(dying.attempt == 1)
        #expect(try await queue.rescueExpired().contains { $0.id == dying.id } == false, "a live lease is not rescued")

        let rescued = try await eventually("the expired lease is rescued", timeout: .seconds(30)) {
            try await queue.rescueExpired().first { $0.id == dying.id }
        }
        #expect(rescued.state == .retryable)
        #expect(rescued.formerOwner == "dying/1#0")
        #expect(try await queue.heartbeat(dying) == false, "the dead worker learns it lost the lease")

        // Another worker (a service) takes it over and completes it.
        let client = PostgresClient(configuration: environment.database.clientConfiguration, backgroundLogger: logger)
        let tally = Tally()
        let workers = JobWorkerService(
            queue: self.queue(PooledConnections(client: client)), handlers: [CountingHandler(kind: kind, tally: tally)],
            configuration: JobWorkerConfiguration(concurrency: 1, wakeups: .poll, pollInterval: .milliseconds(100), owner: "second/2"),
            logger: logger)
        try await running([client, workers]) {
            try await eventually("the other worker completes it", timeout: .seconds(30)) {
                try await queue.job(dying.id)?.state == .completed
            }
        }
        #expect(tally.counts == [dying.id: 1])
        #expect(tally.owners == ["second/2#0"])

        // The dead worker wakes up and tries to finish: fenced.
        let late = await #expect(throws: SluiceError.self) { try await queue.complete(dying) }
        #expect(late?.code == .leaseLost)
        await #expect(throws: SluiceError.self) { try await queue.fail(dying, error: "late failure") }
        await #expect(throws: SluiceError.self) { try await queue.release(dying) }

        let record = try #require(try await queue.job(dying.id))
        #expect(record.state == .completed)
        #expect(record.attempt == 2)
        #expect(record.leaseOwner == "second/2#0")
        #expect(record.lastError?.contains("dying/1#0") == true, "the rescue says whose lease expired")
        #expect(record.finishedAt != nil)
    }

    @Test func aJobRescuedAfterItsLastAttemptIsDead() async throws {
        try await environment.migrate()
        let kind = IntegrationEnvironment.uniqueName("rescue_dead")
        let queue = queue(environment.database)
        let enqueued = try await queue.enqueue(kind: kind, payload: ["n": 1], maxAttempts: 1)
        let job = try #require(try await queue.claim(kinds: [kind], owner: "dying/1#0", leaseTTL: .milliseconds(300)).first)
        let rescued = try await eventually("the expired lease is rescued", timeout: .seconds(30)) {
            try await queue.rescueExpired().first { $0.id == job.id }
        }
        #expect(rescued.state == .dead)
        let record = try #require(try await queue.job(enqueued.id))
        #expect(record.state == .dead)
        #expect(record.finishedAt != nil)
        #expect(record.lastError?.contains("expired") == true)
    }

    // MARK: Retries

    @Test func aFailingJobIsRetriedWithGrowingBackoffThenDeadWithItsError() async throws {
        try await environment.migrate()
        let kind = IntegrationEnvironment.uniqueName("retry")
        // Backoff of at least a second, so a claim right after a failure finds nothing to take.
        let policy = RetryPolicy(base: .seconds(1), unit: .milliseconds(100), maxDelay: .seconds(10), jitter: 0.1)
        let queue = queue(environment.database, retries: policy)
        let enqueued = try await queue.enqueue(kind: kind, payload: ["n": 1], maxAttempts: 3)
        var previousRunAfter = try #require(try await queue.job(enqueued.id)).runAfter

        for attempt in 1 ... 3 {
            let job = try await eventually("attempt \(attempt) is claimable", timeout: .seconds(30)) {
                try await queue.claim(kinds: [kind], owner: "worker/1#0", leaseTTL: .seconds(30)).first
            }
            #expect(job.attempt == attempt)
            let outcome = try await queue.fail(job, error: "gateway said no (attempt \(attempt))")
            let record = try #require(try await queue.job(job.id))
            #expect(record.lastError == "gateway said no (attempt \(attempt))", "the error is kept")
            #expect(record.attempt == attempt)
            if attempt < 3 {
                guard case .retry(let delay) = outcome else {
                    Issue.record("attempt \(attempt) should be retried, got \(outcome)")
                    return
                }
                #expect(policy.delayRange(afterAttempt: attempt).contains(delay))
                #expect(record.state == .retryable)
                // run_after and updated_at come from the same now(): their gap is the backoff.
                let gap = record.runAfter.timeIntervalSince(record.updatedAt)
                #expect(abs(gap - delay.inSeconds) < 0.01, "run_after is the policy's delay ahead")
                #expect(record.runAfter > previousRunAfter, "run_after moves forward")
                previousRunAfter = record.runAfter
                #expect(try await queue.claim(kinds: [kind], owner: "worker/1#0", leaseTTL: .seconds(30)).isEmpty,
                        "not claimed before its backoff has passed")
            } else {
                #expect(outcome == .dead)
                #expect(record.state == .dead)
                #expect(record.finishedAt != nil)
            }
        }
        #expect(try await queue.claim(kinds: [kind], owner: "worker/1#0", leaseTTL: .seconds(30)).isEmpty, "a dead job is not claimed")
    }

    @Test func aHandlerThatAlwaysThrowsEndsDeadAfterItsAttempts() async throws {
        try await environment.migrate()
        let kind = IntegrationEnvironment.uniqueName("always_fails")
        let client = PostgresClient(configuration: environment.database.clientConfiguration, backgroundLogger: logger)
        let queue = queue(PooledConnections(client: client))
        let tally = Tally()
        let workers = JobWorkerService(
            queue: queue, handlers: [FailingHandler(kind: kind, tally: tally)],
            configuration: JobWorkerConfiguration(concurrency: 2, wakeups: .poll, pollInterval: .milliseconds(100)),
            logger: logger)
        let id = try await running([client, workers]) {
            let id = try await queue.enqueue(kind: kind, payload: ["n": 1], maxAttempts: 3).id
            try await eventually("the job is dead", timeout: .seconds(60)) { try await queue.job(id)?.state == .dead }
            return id
        }
        #expect(tally.counts[id] == 3, "three attempts, no more")
        // The pool stopped with the services: read back directly.
        let record = try #require(try await self.queue(environment.database).job(id))
        #expect(record.attempt == 3)
        #expect(record.lastError?.contains("the gateway refused attempt 3") == true)
        #expect(workers.snapshot.failed == 3)
    }

    // MARK: Dedupe, cancel, listings

    @Test func enqueueingTheSameDedupeKeyTwiceGivesOneJob() async throws {
        try await environment.migrate()
        let kind = IntegrationEnvironment.uniqueName("dedupe")
        let queue = queue(environment.database)
        let key = "load:s3://in/\(kind).csv@etag-1"
        let first = try await queue.enqueue(kind: kind, payload: ["uri": "a"], dedupeKey: key)
        let second = try await queue.enqueue(kind: kind, payload: ["uri": "b"], dedupeKey: key)
        #expect(first.inserted)
        #expect(!second.inserted)
        #expect(second.id == first.id)

        // The same at the same moment from eight callers.
        let racedKey = key + "-raced"
        let raced = try await withThrowingTaskGroup(of: EnqueuedJob.self) { group in
            for n in 0 ..< 8 {
                group.addTask { try await queue.enqueue(kind: kind, payload: ["n": n], dedupeKey: racedKey) }
            }
            return try await group.reduce(into: [EnqueuedJob]()) { $0.append($1) }
        }
        #expect(Set(raced.map(\.id)).count == 1)
        #expect(raced.filter(\.inserted).count == 1)
        #expect(try await environment.scalar("SELECT count(*) FROM sluice.jobs WHERE kind = '\(kind)'") == 2)
        #expect(try await queue.job(first.id)?.payload == #"{"uri": "a"}"#, "the first enqueue's payload stays")
    }

    @Test func workersClaimOnlyFromTheQueuesTheyServe() async throws {
        try await environment.migrate()
        let kind = IntegrationEnvironment.uniqueName("queues")
        let queue = queue(environment.database)
        let theirs = try await queue.enqueue(kind: kind, queue: "pipeline:\(kind)-other", payload: ["n": 1])
        let ours = try await queue.enqueue(kind: kind, queue: "pipeline:\(kind)", payload: ["n": 2])
        let claimed = try await queue.claim(kinds: [kind], queues: ["pipeline:\(kind)"], owner: "it", limit: 10, leaseTTL: .seconds(30))
        #expect(claimed.map(\.id) == [ours.id], "a node takes only runs of pipelines it has")
        let rest = try await queue.claim(kinds: [kind], owner: "it", limit: 10, leaseTTL: .seconds(30))
        #expect(rest.map(\.id) == [theirs.id], "no queue filter: every queue")
    }

    @Test func pruningDeletesOldFinishedJobsAndKeepsDeadOnesLonger() async throws {
        try await environment.migrate()
        let kind = IntegrationEnvironment.uniqueName("prune")
        let queue = queue(environment.database)
        let ids = try await queue.enqueue(kind: kind, payloads: (0 ..< 5).map { ["n": $0] })
        // Two completed ten days ago, one completed now, one dead ten days ago, one waiting.
        _ = try await environment.scalar("""
            WITH u AS (UPDATE sluice.jobs SET state = CASE WHEN id IN (\(ids[0]), \(ids[1]), \(ids[2])) THEN 'completed' ELSE 'dead' END,
                finished_at = CASE WHEN id = \(ids[2]) THEN now() ELSE now() - interval '10 days' END
                WHERE id IN (\(ids[0]), \(ids[1]), \(ids[2]), \(ids[3])) RETURNING 1) SELECT count(*) FROM u
            """)
        let week: TimeInterval = 7 * 86_400
        let pruned = try await queue.prune(completedBefore: Date().addingTimeInterval(-week), deadBefore: Date().addingTimeInterval(-4 * week))
        #expect(pruned >= 2)
        let left = try await environment.scalar("SELECT count(*) FROM sluice.jobs WHERE kind = '\(kind)'")
        #expect(left == 3, "the recent completed, the dead and the waiting job stay")
        let first = try await queue.job(ids[0])
        let dead = try await queue.job(ids[3])
        #expect(first == nil && dead != nil)
    }

    @Test func cancellingStopsAWaitingJobAndFencesARunningOne() async throws {
        try await environment.migrate()
        let kind = IntegrationEnvironment.uniqueName("cancel")
        let queue = queue(environment.database)
        let waiting = try await queue.enqueue(kind: kind, payload: ["n": 1], runAfter: Date().addingTimeInterval(3_600))
        #expect(try await queue.cancel(waiting.id) == .cancelled(was: .available))
        #expect(try await queue.cancel(waiting.id) == .alreadyFinished(.cancelled))
        #expect(try await queue.cancel(Int64.max) == .notFound)

        try await queue.enqueue(kind: kind, payload: ["n": 2])
        let running = try #require(try await queue.claim(kinds: [kind], owner: "worker/1#0", leaseTTL: .seconds(30)).first)
        #expect(try await queue.cancel(running.id) == .cancelled(was: .running))
        #expect(try await queue.heartbeat(running) == false, "its worker learns at the next heartbeat")
        let refused = await #expect(throws: SluiceError.self) { try await queue.complete(running) }
        #expect(refused?.code == .leaseLost)
        #expect(try await queue.job(running.id)?.state == .cancelled)
    }

    @Test func listingsPageByIdAndDepthCountsReadyScheduledAndRunning() async throws {
        try await environment.migrate()
        let kind = IntegrationEnvironment.uniqueName("listing")
        let queue = queue(environment.database)
        let ready = try await queue.enqueue(kind: kind, payloads: [1, 2, 3])
        try await queue.enqueue(kind: kind, payloads: [4, 5], runAfter: Date().addingTimeInterval(3_600))
        let claimed = try await queue.claim(kinds: [kind], owner: "worker/1#0", leaseTTL: .seconds(30))
        #expect(claimed.map(\.id) == [ready[0]], "the oldest ready job first")

        let depth = try #require(try await queue.depth().first { $0.kind == kind })
        #expect(depth.ready == 2)
        #expect(depth.scheduled == 2)
        #expect(depth.running == 1)
        #expect(depth.oldestReadySeconds >= 0)

        var seen: [Int64] = []
        var cursor: Int64?
        repeat {
            let page = try await queue.jobs(kind: kind, before: cursor, limit: 2)
            #expect(page.jobs.count <= 2)
            seen += page.jobs.map(\.id)
            cursor = page.nextCursor
        } while cursor != nil
        #expect(seen.count == 5)
        #expect(seen == seen.sorted(by: >), "newest first")
        #expect(try await queue.jobs(state: .running, kind: kind).jobs.map(\.id) == [ready[0]])
        #expect(try await queue.jobs(state: .completed, kind: kind).jobs.isEmpty)
    }

    // MARK: Wake-ups

    @Test func aNotificationWakesAnIdleWorkerLongBeforeItsPollAndListeningSurvivesAReconnect() async throws {
        try await environment.migrate()
        let kind = IntegrationEnvironment.uniqueName("notify")
        let channel = IntegrationEnvironment.uniqueName("sluice_jobs_it")
        let client = PostgresClient(configuration: environment.database.clientConfiguration, backgroundLogger: logger)
        let queue = queue(PooledConnections(client: client), channel: channel)
        let tally = Tally()
        // A poll interval of a minute: only the notification can make the job run within seconds.
        let workers = JobWorkerService(
            queue: queue, handlers: [CountingHandler(kind: kind, tally: tally)],
            configuration: JobWorkerConfiguration(concurrency: 2, wakeups: .listen, pollInterval: .seconds(60)),
            listenOn: environment.database, logger: logger)

        try await running([client, workers]) {
            try await eventually("the worker listens", timeout: .seconds(20)) { workers.snapshot.listening }
            // Let the claims that starting and listening cause find the queue empty and go idle.
            try await Task.sleep(for: .milliseconds(500))

            let clock = ContinuousClock()
            let start = clock.now
            let first = try await queue.enqueue(kind: kind, payload: ["n": 1])
            try await eventually("the woken worker handles the job", timeout: .seconds(30)) { tally.counts[first.id] == 1 }
            #expect(clock.now - start < .seconds(20), "woken by the notification, not by the one-minute poll")

            // The LISTEN connection dies (a PostgreSQL restart, a network cut): the listener reconnects.
            _ = try await environment.scalar("""
                SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE query LIKE 'LISTEN "\(channel)"%'
                """)
            try await eventually("the listener notices the lost connection", timeout: .seconds(20)) { !workers.snapshot.listening }
            try await eventually("the listener is back", timeout: .seconds(30)) { workers.snapshot.listening }
            try await Task.sleep(for: .milliseconds(500))
            let again = clock.now
            let second = try await queue.enqueue(kind: kind, payload: ["n": 2])
            try await eventually("the job after the reconnect is handled", timeout: .seconds(30)) { tally.counts[second.id] == 1 }
            #expect(clock.now - again < .seconds(20))
        }
    }

    @Test func pollingWorksThroughPgBouncerInTransactionMode() async throws {
        try await environment.migrate()
        let kind = IntegrationEnvironment.uniqueName("pgbouncer")
        let bouncer = try environment.pgbouncerDatabase()
        let client = PostgresClient(configuration: bouncer.clientConfiguration, backgroundLogger: logger)
        let queue = queue(PooledConnections(client: client))
        let tally = Tally()
        // Jobs that outlive several heartbeats (a third of the 900 ms lease), and a rescuer that
        // looks often: a heartbeat lost through the pooler would show as a rescued job.
        let workers = JobWorkerService(
            queue: queue, handlers: [CountingHandler(kind: kind, tally: tally, pause: .milliseconds(1_500))],
            configuration: JobWorkerConfiguration(
                concurrency: 4, leaseTTL: .milliseconds(900), wakeups: .poll, pollInterval: .milliseconds(200),
                rescueInterval: .milliseconds(300)),
            logger: logger)
        try await running([client, workers]) {
            let ids = try await queue.enqueue(kind: kind, payloads: Array(0 ..< 12))
            try await eventually("every job completed through PgBouncer", timeout: .seconds(90)) {
                try await environment.scalar("SELECT count(*) FROM sluice.jobs WHERE kind = '\(kind)' AND state = 'completed'") == 12
            }
            #expect(Set(tally.counts.keys) == Set(ids))
            #expect(tally.counts.values.allSatisfy { $0 == 1 })
        }
        #expect(workers.snapshot.leaseLost == 0)
        #expect(try await environment.scalar("SELECT count(*) FROM sluice.jobs WHERE kind = '\(kind)' AND attempt <> 1") == 0,
                "heartbeats through the pooler kept every lease")
    }

    // MARK: Shutdown

    @Test func gracefulShutdownLetsQuickJobsFinishAndReleasesTheOthers() async throws {
        try await environment.migrate()
        let quick = IntegrationEnvironment.uniqueName("quick")
        let stuck = IntegrationEnvironment.uniqueName("stuck")
        let client = PostgresClient(configuration: environment.database.clientConfiguration, backgroundLogger: logger)
        let queue = queue(PooledConnections(client: client))
        let tally = Tally()
        let workers = JobWorkerService(
            queue: queue,
            handlers: [CountingHandler(kind: quick, tally: tally, pause: .seconds(1)), CountingHandler(kind: stuck, tally: tally, pause: .seconds(600))],
            configuration: JobWorkerConfiguration(concurrency: 2, wakeups: .poll, pollInterval: .milliseconds(100), shutdownGracePeriod: .seconds(3)),
            logger: logger)
        let services: [any Service] = [client, workers]
        let group = ServiceGroup(configuration: .init(services: services.map { .init(service: $0) }, logger: logger))
        let (quickID, stuckID) = try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let quickID = try await queue.enqueue(kind: quick, payload: ["n": 1]).id
            let stuckID = try await queue.enqueue(kind: stuck, payload: ["n": 2]).id
            try await eventually("both jobs run", timeout: .seconds(30)) { workers.snapshot.running == 2 }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return (quickID, stuckID)
        }
        let finished = try await environment.strings("SELECT state FROM sluice.jobs WHERE id = \(quickID)")
        #expect(finished == ["completed"], "a job that finishes within the grace period completes")
        let released = try await environment.strings("""
            SELECT state || ' ' || attempt || ' ' || (lease_token IS NULL) FROM sluice.jobs WHERE id = \(stuckID)
            """)
        #expect(released == ["available 0 true"], "a job still running at the deadline is given back, its attempt not counted")
        #expect(workers.snapshot.released == 1)
    }

    // MARK: Helpers

    /// Runs `services` in a `ServiceGroup` (the `PostgresClient` first, so it stops last) while
    /// `body` runs, then shuts them down gracefully and waits for them.
    func running<T: Sendable>(_ services: [any Service], _ body: () async throws -> T) async throws -> T {
        let group = ServiceGroup(configuration: .init(services: services.map { .init(service: $0) }, logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            do {
                let result = try await body()
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return result
            } catch {
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                throw error
            }
        }
    }

    /// Polls `condition` until it holds, failing after `timeout`.
    func eventually(_ what: String, timeout: Duration, _ condition: () async throws -> Bool) async throws {
        _ = try await eventually(what, timeout: timeout) { try await condition() ? true : nil }
    }

    /// Polls `value` until it is not `nil`, failing after `timeout`.
    func eventually<T>(_ what: String, timeout: Duration, _ value: () async throws -> T?) async throws -> T {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let found = try await value() { return found }
            guard ContinuousClock.now < deadline else { throw SetupError("timed out after \(timeout) waiting until \(what)") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}

/// How often each job was handled, and by whom.
final class Tally: Sendable {
    private let state = Mutex<(counts: [Int64: Int], owners: [String])>(([:], []))

    func record(_ job: ClaimedJob) -> Int {
        state.withLock { state in
            state.counts[job.id, default: 0] += 1
            if !state.owners.contains(job.owner) { state.owners.append(job.owner) }
            return state.counts[job.id]!
        }
    }

    var counts: [Int64: Int] { state.withLock { $0.counts } }
    var owners: [String] { state.withLock { $0.owners } }
}

struct CountingHandler: JobHandler {
    let kind: String
    let tally: Tally
    var pause: Duration = .zero

    func run(_ job: ClaimedJob) async throws {
        _ = tally.record(job)
        if pause > .zero { try await Task.sleep(for: pause) }
    }
}

struct FailingHandler: JobHandler {
    struct Refused: Error, CustomStringConvertible {
        let attempt: Int
        var description: String { "the gateway refused attempt \(attempt)" }
    }

    let kind: String
    let tally: Tally

    func run(_ job: ClaimedJob) async throws {
        _ = tally.record(job)
        throw Refused(attempt: job.attempt)
    }
}

extension Duration {
    var inSeconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
