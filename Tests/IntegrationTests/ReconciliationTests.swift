import Foundation
import Logging
import PostgresNIO
import SluiceBilling
import SluiceCore
import SluiceGenesis
import SluiceJobs
import SluicePipeline
import SluicePostgres
import SluiceReconciliation
import SluiceSimulators
import SluiceTestSupport
import Testing

/// Reconciliation against the gateway simulator over HTTP, on the local PostgreSQL. Attempts
/// come from real billing runs whose billing names no notification URL, so only reconciliation
/// tells Sluice what the gateway did. Each test has its own terminal: passes are scoped to it,
/// so attempts other tests left pending never get in the way.
@Suite(.serialized)
struct ReconciliationTests {
    let environment: IntegrationEnvironment

    init() throws {
        environment = try IntegrationEnvironment()
    }

    // MARK: Helpers

    func simulator(
        notificationDelayMs: Int = 50, chargebackIBANs: [String: String] = [:], chargebackDelayMs: Int = 50
    ) -> GatewaySimulatorConfiguration {
        GatewaySimulatorConfiguration(
            terminals: [IntegrationEnvironment.uniqueName("recon")], chargebackIBANs: chargebackIBANs, chargebackDelayMs: chargebackDelayMs,
            notificationDelayMs: notificationDelayMs)
    }

    func client(_ running: RunningGateway, timeout: Duration = .seconds(5), readRetries: Int = 3) -> any PaymentGateway {
        GenesisClient(
            configuration: GenesisConfiguration(
                baseURL: running.baseURL, terminalToken: running.terminal, login: running.login, password: running.password, timeout: timeout,
                readRetries: readRetries, retryBaseDelay: .milliseconds(20)),
            logger: RunningGateway.quietLogger)
    }

    func reconciler(_ running: RunningGateway, _ settings: ReconciliationSettings, timeout: Duration = .seconds(5), readRetries: Int = 3) -> Reconciler {
        let client = client(running, timeout: timeout, readRetries: readRetries)
        let terminal = running.terminal
        return Reconciler(
            source: environment.database,
            makeGateway: { name in
                guard name == terminal else { throw SetupError("no gateway for terminal \(name)") }
                return client
            },
            policy: ChargebackPolicy(), settings: settings, logger: RunningGateway.quietLogger)
    }

    func settings(batchLimit: Int = 500, maxTries: Int = 10, pageSize: Int = 100) -> ReconciliationSettings {
        ReconciliationSettings(maxTries: maxTries, ratePerSecond: 500, batchLimit: batchLimit, chargebackPageSize: pageSize)
    }

    /// A completed run of `rows` billed through the simulator; returns the run id as SQL text (`'…'`).
    func billedRun(_ rows: [(iban: String, amount: String)], through running: RunningGateway) async throws -> String {
        let spec = try environment.pipeline(
            batchSize: 500, extra: "billing:\n  terminal: \(running.terminal)\n  rate_per_second: 0\n  max_in_flight: 8\n")
        let path = NSTemporaryDirectory() + "reconcile-\(UUID().uuidString.prefix(8)).csv"
        var text = "external_id,first_name,last_name,iban,amount,currency\n"
        for (index, row) in rows.enumerated() { text += "EXT-\(UUID().uuidString.prefix(6))-\(index),Ada,Lovelace,\(row.iban),\(row.amount),EUR\n" }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let summary = try await environment.runner().run(spec, input: path, options: RunOptions())
        #expect(summary.run.status == .completed && summary.run.counters.rowsAccepted == Int64(rows.count))
        let store = BillingStore(source: environment.database, logger: environment.logger)
        let record = try #require(try await store.billingRun(summary.run.id), "the completed run was handed to billing")
        let gateway = client(running)
        let handler = BillingJobHandler(store: store, makeGateway: { _ in gateway }, chunkSize: 50, logger: RunningGateway.quietLogger)
        let outcome = try await handler.bill(record, gateway: gateway, logger: RunningGateway.quietLogger)
        #expect(outcome.deferred == 0)
        return "'\(summary.run.idText)'"
    }

    /// A job as a worker would hand it over.
    func job(_ kind: String, _ payload: String) -> ClaimedJob {
        ClaimedJob(
            id: 1, kind: kind, payload: payload, attempt: 1, maxAttempts: 3, owner: "test", leaseToken: UUID(), leaseTTL: .seconds(60), createdAt: Date())
    }

    /// Waits until no sale of the simulator is pending any more.
    func waitUntilSettled(_ running: RunningGateway) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while running.simulator.ledger().contains(where: { $0.status == .pendingAsync }) {
            guard ContinuousClock.now < deadline else { throw SetupError("the simulator did not settle its pending sales") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    // MARK: Tests

    @Test func pendingAttemptsArePolledNeverReconciledFirstUntilTheySettle() async throws {
        // The gateway settles 4 s after each sale: the first passes find the sales still pending.
        try await RunningGateway.with(simulator(notificationDelayMs: 4_000)) { running in
            let rows = (0..<6).map { index in (BillingTests.dutchIBAN(), index % 2 == 0 ? "30.60" : "31.61") }
            let run = try await billedRun(rows, through: running)
            let pendingCount = try await environment.scalar("SELECT count(*) FROM sluice.billing_attempts WHERE run_id = \(run) AND status = 'pending'")
            #expect(pendingCount == 6)
            // Sent three hours ago and more, the higher lines earlier: all are due, oldest first.
            try await environment.withConnection { connection in
                try await connection.query(PostgresQuery(unsafeSQL: """
                    UPDATE sluice.billing_attempts SET sent_at = now() - interval '3 hours' - source_line * interval '1 minute'
                    WHERE run_id = \(run)
                    """), logger: environment.logger)
            }
            let tries = "SELECT reconcile_tries FROM sluice.billing_attempts WHERE run_id = \(run) ORDER BY sent_at, id"

            let first = try await reconciler(running, settings(batchLimit: 4)).reconcilePending(terminal: running.terminal)
            #expect(first.observations == 4 && first.count(.unchanged) == 4 && first.callsFailed == 0)
            #expect(try #require(first.oldestDueSeconds) > 3 * 3_600)
            #expect(try await environment.integers(tries) == [1, 1, 1, 1, 0, 0], "the oldest four first")

            let second = try await reconciler(running, settings(batchLimit: 4)).reconcilePending(terminal: running.terminal)
            #expect(second.observations == 4)
            #expect(try await environment.integers(tries) == [2, 2, 1, 1, 1, 1], "the never-reconciled two, then the two polled longest ago")

            let capped = try await reconciler(running, settings(maxTries: 2)).reconcilePending(terminal: running.terminal)
            #expect(capped.observations == 4)
            #expect(try await environment.integers(tries) == [2, 2, 2, 2, 2, 2], "attempts at the most tries are left alone")
            #expect(try await environment.scalar("SELECT count(*) FROM sluice.billing_attempts WHERE run_id = \(run) AND status = 'pending'") == 6)
            #expect(try await environment.scalar("""
                SELECT count(*) FROM sluice.billing_attempts WHERE run_id = \(run) AND last_reconciled_at IS NOT NULL
                """) == 6)

            try await waitUntilSettled(running)
            let settled = try await reconciler(running, settings()).reconcilePending(terminal: running.terminal)
            #expect(settled.observations == 6 && settled.count(.applied) == 6)
            #expect(try await environment.strings("""
                SELECT status || ' ' || coalesce(reason_code, '-') FROM sluice.billing_attempts WHERE run_id = \(run) ORDER BY source_line
                """) == ["approved -", "declined AM04", "approved -", "declined AM04", "approved -", "declined AM04"])
            #expect(try await environment.integers(tries) == [3, 3, 3, 3, 3, 3])
            #expect(try await environment.scalar("""
                SELECT count(*) FROM sluice.attempt_events e JOIN sluice.billing_attempts a ON a.id = e.attempt_id
                WHERE a.run_id = \(run) AND e.source = 'reconcile' AND e.applied AND e.from_status = 'pending' AND e.to_status = a.status
                """) == 6)

            // Final: no longer polled.
            let after = try await reconciler(running, settings()).reconcilePending(terminal: running.terminal)
            #expect(after.observations == 0 && after.oldestDueSeconds == 0)
            #expect(try await environment.integers(tries) == [3, 3, 3, 3, 3, 3])
            #expect(running.simulator.stats().reconcileRequests == 18)
        }
    }

    @Test func aGatewayThatDoesNotAnswerIsCountedAndThePassGoesOn() async throws {
        try await RunningGateway.with(simulator(notificationDelayMs: 20)) { running in
            let run = try await billedRun((0..<3).map { _ in (BillingTests.dutchIBAN(), "30.60") }, through: running)
            try await waitUntilSettled(running)
            try await environment.withConnection { connection in
                try await connection.query(PostgresQuery(unsafeSQL: """
                    UPDATE sluice.billing_attempts SET sent_at = now() - interval '3 hours' WHERE run_id = \(run)
                    """), logger: environment.logger)
            }
            let tries = "SELECT reconcile_tries FROM sluice.billing_attempts WHERE run_id = \(run) ORDER BY id"
            // Every answer comes after the client gave up.
            running.simulator.setFaults(GatewayFaultConfiguration(latencyMs: 400))
            let impatient = reconciler(running, settings(), timeout: .milliseconds(100), readRetries: 0)
            let failed = try await impatient.reconcilePending(terminal: running.terminal)
            #expect(failed.callsFailed == 3 && failed.observations == 0, "each call failed, and the pass went on to the next")
            #expect(try await environment.integers(tries) == [1, 1, 1], "a failed call counts as a try")
            #expect(try await environment.scalar("SELECT count(*) FROM sluice.billing_attempts WHERE run_id = \(run) AND status = 'pending'") == 3)

            running.simulator.setFaults(GatewayFaultConfiguration())
            let recovered = try await impatient.reconcilePending(terminal: running.terminal)
            #expect(recovered.callsFailed == 0 && recovered.count(.applied) == 3)
            #expect(try await environment.integers(tries) == [2, 2, 2])
            #expect(try await environment.scalar("SELECT count(*) FROM sluice.billing_attempts WHERE run_id = \(run) AND status = 'approved'") == 3)
        }
    }

    @Test func reconcileOneAttemptNowAndItsErrors() async throws {
        try await RunningGateway.with(simulator(notificationDelayMs: 50)) { running in
            let run = try await billedRun([(BillingTests.dutchIBAN(), "30.60")], through: running)
            let id = try await environment.scalar("SELECT id FROM sluice.billing_attempts WHERE run_id = \(run)")
            try await waitUntilSettled(running)
            let reconciler = reconciler(running, settings())
            let result = try await reconciler.reconcile(attemptID: id)
            #expect(result == AttemptReconcileResult(
                attemptID: id, previousStatus: .pending, status: .approved, outcome: .applied, gatewayStatus: "approved",
                detail: "pending → approved", reconcileTries: 1))
            let again = try await reconciler.reconcile(attemptID: id)
            #expect(again.outcome == .unchanged && again.status == .approved && again.reconcileTries == 2)
            do {
                _ = try await reconciler.reconcile(attemptID: Int64.max)
                Issue.record("an attempt that does not exist was reconciled")
            } catch let error as SluiceError {
                #expect(error.code == .notFound)
            }
            // A terminal without a gateway: a clear error, nothing counted.
            let other = Reconciler(
                source: environment.database, makeGateway: { _ in throw SetupError("no credentials") }, policy: ChargebackPolicy(),
                settings: settings(), logger: RunningGateway.quietLogger)
            do {
                _ = try await other.reconcile(attemptID: id)
                Issue.record("reconciled without a gateway")
            } catch let error as SluiceError {
                #expect(error.code == .invalidArgument && error.reason.contains(running.terminal))
            }
            #expect(try await environment.scalar("SELECT reconcile_tries FROM sluice.billing_attempts WHERE id = \(id)") == 2)
        }
    }

    @Test func theByDateRefreshReadsEveryPageAndUpdatesEveryAttempt() async throws {
        try await RunningGateway.with(simulator(notificationDelayMs: 20)) { running in
            // 120 sales: two pages of 100; all pending here, all settled at the gateway.
            let rows = (0..<120).map { index in (BillingTests.dutchIBAN(), index % 2 == 0 ? "40.60" : "41.61") }
            let run = try await billedRun(rows, through: running)
            try await waitUntilSettled(running)
            #expect(try await environment.scalar("SELECT count(*) FROM sluice.billing_attempts WHERE run_id = \(run) AND status = 'pending'") == 120)
            let reconciler = reconciler(running, settings())
            let range = GatewayDateRange.lastDays(1, endingAt: Date())
            let summary = try await reconciler.eachTerminal(running.terminal) { try await reconciler.refreshByDate(terminal: $0, range: range) }
            #expect(summary.pagesRead == 2 && summary.observations == 120 && summary.count(.applied) == 120 && summary.failures.isEmpty)
            #expect(try await environment.strings("""
                SELECT status || ' ' || count(*) FROM sluice.billing_attempts WHERE run_id = \(run) GROUP BY status ORDER BY status
                """) == ["approved 60", "declined 60"])
            let events = """
                SELECT count(*) FROM sluice.attempt_events e JOIN sluice.billing_attempts a ON a.id = e.attempt_id
                WHERE a.run_id = \(run) AND e.source = 'by_date' AND e.applied
                """
            #expect(try await environment.scalar(events) == 120)

            // Again: every page read, nothing changed.
            let again = try await reconciler.refreshByDate(terminal: running.terminal, range: range)
            #expect(again.pagesRead == 2 && again.count(.unchanged) == 120 && again.count(.applied) == 0)
            #expect(try await environment.scalar(events) == 120)
            #expect(running.simulator.stats().reconcileByDateRequests == 4)

            // As a job: the same refresh; a payload that cannot work fails for good.
            let handler = ReconcileByDateJobHandler(reconciler: reconciler, logger: RunningGateway.quietLogger)
            try await handler.run(job(handler.kind, #"{"terminal": "\#(running.terminal)", "start_date": "\#(range.startDate)", "end_date": "\#(range.endDate)"}"#))
            #expect(running.simulator.stats().reconcileByDateRequests == 6)
            #expect(try await environment.scalar(events) == 120)
            for payload in [#"{"start_date": "2025-13-01", "end_date": "2025-12-01"}"#, #"{"terminal": "t"}"#, "[1]",
                            #"{"terminal": "no-such-terminal", "start_date": "2025-01-01", "end_date": "2025-01-02"}"#] {
                await #expect(throws: JobFailedPermanently.self, "\(payload)") { try await handler.run(job(handler.kind, payload)) }
            }
        }
    }

    @Test func theChargebackSyncRecordsDeactivatesAndBlacklistsByPolicyOnce() async throws {
        let (closed, closedToo, refund, kept) = (BillingTests.dutchIBAN(), BillingTests.dutchIBAN(), BillingTests.dutchIBAN(), BillingTests.dutchIBAN())
        let configuration = simulator(chargebackIBANs: [closed: "AC04", closedToo: "AC04", refund: "MD06"], chargebackDelayMs: 20)
        try await RunningGateway.with(configuration) { running in
            let run = try await billedRun([(closed, "30.00"), (closedToo, "31.00"), (refund, "32.00"), (kept, "33.00")], through: running)
            let deadline = ContinuousClock.now + .seconds(10)
            while running.simulator.stats().chargebacks < 3 {
                guard ContinuousClock.now < deadline else { throw SetupError("the simulator charged nothing back") }
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(try await environment.scalar("SELECT count(*) FROM sluice.billing_attempts WHERE run_id = \(run) AND status = 'approved'") == 4)
            // Two chargebacks a page: the sync reads two pages.
            let reconciler = reconciler(running, settings(pageSize: 2))
            let range = GatewayDateRange.lastDays(7, endingAt: Date())
            let summary = try await reconciler.syncChargebacks(terminal: running.terminal, range: range)
            #expect(summary.pagesRead == 2 && summary.observations == 3 && summary.count(.applied) == 3)

            let states = try await environment.strings("""
                SELECT a.status || ' ' || coalesce(c.reason_code, '-') || ' ' || coalesce(c.source, '-') || ' blacklisted=' || coalesce(c.blacklisted::text, '-')
                    || ' active=' || p.active || ' listed=' || EXISTS (SELECT 1 FROM sluice.blacklist b WHERE b.kind = 'iban' AND b.value_key = encode(a.iban_hash, 'hex'))
                FROM sluice.billing_attempts a
                LEFT JOIN sluice.chargebacks c ON c.attempt_id = a.id
                JOIN sluice.debtor_profiles p ON p.iban_hash = a.iban_hash
                WHERE a.run_id = \(run) ORDER BY a.source_line
                """)
            #expect(states == [
                "chargebacked AC04 chargeback_sync blacklisted=true active=false listed=true",
                "chargebacked AC04 chargeback_sync blacklisted=true active=false listed=true",
                "chargebacked MD06 chargeback_sync blacklisted=false active=false listed=false",
                "approved - - blacklisted=- active=true listed=false",
            ], "the AC04 IBANs are blacklisted, the MD06 one is not; every charged-back profile is inactive")
            let events = """
                SELECT e.source || ' ' || e.from_status || ' ' || e.to_status || ' ' || e.applied || ' ' || coalesce(e.reason_code, '-')
                FROM sluice.attempt_events e JOIN sluice.billing_attempts a ON a.id = e.attempt_id
                WHERE a.run_id = \(run) AND e.source <> 'sale' ORDER BY e.reason_code, e.id
                """
            let expectedEvents = [
                "chargeback_sync approved chargebacked true AC04", "chargeback_sync approved chargebacked true AC04",
                "chargeback_sync approved chargebacked true MD06",
            ]
            #expect(try await environment.strings(events) == expectedEvents)

            // A second sync learns nothing new and writes nothing.
            let counts = """
                SELECT (SELECT count(*) FROM sluice.chargebacks c JOIN sluice.billing_attempts a ON a.id = c.attempt_id WHERE a.run_id = \(run))
                    + 100 * (SELECT count(*) FROM sluice.blacklist b JOIN sluice.billing_attempts a ON b.kind = 'iban' AND b.value_key = encode(a.iban_hash, 'hex')
                             WHERE a.run_id = \(run))
                    + 10000 * (SELECT count(*) FROM sluice.attempt_events e JOIN sluice.billing_attempts a ON a.id = e.attempt_id WHERE a.run_id = \(run))
                """
            let before = try await environment.scalar(counts)
            let again = try await reconciler.syncChargebacks(terminal: running.terminal, range: range)
            #expect(again.pagesRead == 2 && again.count(.unchanged) == 3 && again.count(.applied) == 0)
            #expect(try await environment.scalar(counts) == before)
            #expect(try await environment.strings(events) == expectedEvents)
        }
    }

    @Test func twoSchedulersTickingTogetherQueueAPeriodsJobOnce() async throws {
        try await environment.migrate()
        let queue = JobQueue(source: environment.database, logger: environment.logger)
        // A kind no worker runs, so no server sharing the database picks these jobs up.
        let kind = "test.\(IntegrationEnvironment.uniqueName("reconcile"))"
        let schedule = ReconciliationSchedule(kind: kind, period: SchedulePeriod(seconds: 3_600), days: 7)
        let one = ReconciliationScheduler(queue: queue, schedules: [schedule], logger: environment.logger)
        let two = ReconciliationScheduler(queue: queue, schedules: [schedule], logger: environment.logger)
        let now = Date()
        async let fromOne = one.tick(now: now)
        async let fromTwo = two.tick(now: now)
        let (a, b) = try await (fromOne, fromTwo)
        #expect(a.count == 1 && b.count == 1 && a[0].id == b[0].id)
        #expect([a[0].inserted, b[0].inserted].filter { $0 }.count == 1)
        let key = schedule.dedupeKey(at: now)
        #expect(key == "\(kind):\(Int64(now.timeIntervalSince1970) / 3_600)")
        let payload = try await environment.strings("SELECT payload::text FROM sluice.jobs WHERE dedupe_key = '\(key)'")
        let expected = schedule.payload(at: now)
        #expect(payload.count == 1)
        #expect(try JSONDecoder().decode(ReconciliationJobPayload.self, from: Data(payload[0].utf8)) == expected)
        #expect(expected.terminal == nil && expected.startDate != nil && expected.endDate != nil)

        // The next period queues a new job; a later tick of this period still finds the first.
        let next = try await one.tick(now: now.addingTimeInterval(3_600))
        #expect(next[0].inserted && next[0].id != a[0].id)
        let later = try await two.tick(now: now.addingTimeInterval(10))
        #expect(later[0].id == a[0].id && !later[0].inserted)

        // Running, ticking every 20 ms for a while: still one job per period.
        let services = [one, two].map { scheduler in
            ReconciliationScheduler(queue: queue, schedules: [schedule], tick: .milliseconds(20), logger: environment.logger)
        }
        let tasks = services.map { service in Task { try await service.run() } }
        try await Task.sleep(for: .milliseconds(300))
        for task in tasks { task.cancel() }
        for task in tasks { try await task.value }
        let current = schedule.dedupeKey(at: Date())
        #expect(try await environment.scalar("SELECT count(*) FROM sluice.jobs WHERE dedupe_key = '\(current)'") == 1)
        #expect(try await environment.scalar("SELECT count(*) FROM sluice.jobs WHERE kind = '\(kind)'") <= 3)
        try await environment.withConnection { connection in
            try await connection.query("DELETE FROM sluice.jobs WHERE kind = \(kind)", logger: environment.logger)
        }
    }
}
