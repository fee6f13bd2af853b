import Foundation
import Logging
import SluiceBilling
import SluiceCore
import SluiceGenesis
import SluicePipeline
import SluicePostgres
import SluiceSimulators
import SluiceTestSupport
import Testing

/// Billing against the gateway simulator over HTTP, on the local PostgreSQL: a completed run is
/// handed to billing in the transaction that completes it; the rules hold across runs; a gateway
/// that times out after accepting charges never gets a second charge for an attempt.
@Suite(.serialized)
struct BillingTests {
    let environment: IntegrationEnvironment

    init() throws {
        environment = try IntegrationEnvironment()
    }

    /// A valid NL IBAN with a random account (NL has no national check digit).
    static func dutchIBAN() -> String {
        let bban = "ABNA" + (0..<10).map { _ in String(Int.random(in: 0...9)) }.joined()
        var remainder = 0
        for char in (bban + "NL00") {
            let digits = char.isLetter ? String(Int(char.asciiValue! - 55)) : String(char)
            for digit in digits { remainder = (remainder * 10 + Int(String(digit))!) % 97 }
        }
        let check = 98 - remainder
        return "NL" + (check < 10 ? "0" : "") + String(check) + bban
    }

    func csv(_ rows: [(iban: String, amount: String)]) throws -> String {
        let path = NSTemporaryDirectory() + "billing-\(UUID().uuidString.prefix(8)).csv"
        var text = "external_id,first_name,last_name,iban,amount,currency\n"
        for (index, row) in rows.enumerated() {
            text += "EXT-\(UUID().uuidString.prefix(6))-\(index),Ada,Lovelace,\(row.iban),\(row.amount),EUR\n"
        }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func gateway(_ running: RunningGateway, timeout: Duration = .seconds(5)) -> any PaymentGateway {
        GenesisClient(
            configuration: GenesisConfiguration(
                baseURL: running.baseURL, terminalToken: running.terminal, login: running.login, password: running.password, timeout: timeout,
                retryBaseDelay: .milliseconds(20)),
            logger: RunningGateway.quietLogger)
    }

    func bill(_ runID: UUID, through running: RunningGateway, timeout: Duration = .seconds(5)) async throws -> BillingJobHandler.Outcome {
        let store = BillingStore(source: environment.database, logger: environment.logger)
        let record = try #require(try await store.billingRun(runID), "the completed run was handed to billing")
        let client = gateway(running, timeout: timeout)
        let handler = BillingJobHandler(store: store, makeGateway: { _ in client }, chunkSize: 50, logger: RunningGateway.quietLogger)
        return try await handler.bill(record, gateway: client, logger: RunningGateway.quietLogger)
    }

    func billingSection(_ running: RunningGateway, maxInFlight: Int = 8, extra: String = "") -> String {
        "billing:\n  terminal: \(running.terminal)\n  rate_per_second: 0\n  max_in_flight: \(maxInFlight)\n\(extra)"
    }

    @Test func everyRuleAndSkipReasonHoldsAcrossRuns() async throws {
        try await RunningGateway.with { running in
            let spec = try environment.pipeline(batchSize: 100, extra: billingSection(running))
            let (a, b, c, d, f) = (Self.dutchIBAN(), Self.dutchIBAN(), Self.dutchIBAN(), Self.dutchIBAN(), Self.dutchIBAN())
            let first = try await environment.runner().run(spec, input: try csv([
                (a, "2.99"), (b, "49.99"), (c, "2.51"), (d, "12.60"), ("CH9300762011623852957", "9.00"), (f, "745.00"),
            ]), options: RunOptions())
            #expect(first.run.status == .completed && first.run.counters.rowsAccepted == 6)
            let outcome = try await bill(first.run.id, through: running)
            #expect(outcome.deferred == 0 && outcome.settled == 5 && outcome.skipped == 1)
            let run1 = "'\(first.run.idText)'"
            let statuses = try await environment.strings("SELECT iban_masked || ' ' || status FROM sluice.billing_attempts WHERE run_id = \(run1) ORDER BY source_line")
            #expect(statuses == [IBANMask.mask(a) + " approved", IBANMask.mask(b) + " approved", IBANMask.mask(c) + " declined",
                                 IBANMask.mask(d) + " pending", IBANMask.mask(f) + " approved"], "\(statuses)")
            #expect(try await environment.strings("SELECT reason FROM sluice.billing_skips WHERE run_id = \(run1)") == ["billing.country_unsupported"])
            #expect(try await environment.strings("SELECT reason_code FROM sluice.billing_attempts WHERE run_id = \(run1) AND status = 'declined'") == ["AM04"])
            #expect(try await environment.strings("SELECT state FROM sluice.billing_runs WHERE run_id = \(run1)") == ["completed"])

            // The simulator charged each attempt once, under its deterministic transaction_id.
            let ledger = running.simulator.ledger()
            #expect(ledger.count == 5 && ledger.allSatisfy { $0.charges <= 1 && $0.saleRequests == 1 })
            #expect(Set(ledger.map(\.transactionID)) == Set(try await environment.strings("SELECT transaction_id FROM sluice.billing_attempts WHERE run_id = \(run1)")))

            let second = try await environment.runner().run(spec, input: try csv([
                (a, "2.99"), (b, "2.99"), (c, "2.99"), (d, "13.00"), (f, "10.00"),
            ]), options: RunOptions())
            #expect(second.run.status == .completed)
            _ = try await bill(second.run.id, through: running)
            let run2 = "'\(second.run.idText)'"
            #expect(try await environment.strings("SELECT reason FROM sluice.billing_skips WHERE run_id = \(run2) ORDER BY source_line") == [
                "billing.cycle_locked", "billing.model_conflict", "billing.pending_exists", "billing.cap_reached",
            ])
            #expect(try await environment.strings("SELECT iban_masked || ' ' || status FROM sluice.billing_attempts WHERE run_id = \(run2)") == [
                IBANMask.mask(c) + " approved",
            ], "a declined charge leaves the profile free for the next one")
            let profile = try await environment.strings("""
                SELECT model || ' ' || charged_minor || ' ' || (next_bill_at > now() + interval '89 days')
                FROM sluice.debtor_profiles WHERE iban_hash = sha256(convert_to('\(a)', 'UTF8'))
                """)
            #expect(profile == ["flywheel 299 true"])
        }
    }

    @Test func aGatewayThatTimesOutAfterAcceptingChargesOncePerAttempt() async throws {
        var configuration = GatewaySimulatorConfiguration()
        configuration.faults.timeoutAfterAcceptRate = 0.1
        configuration.faults.hangMs = 2000
        try await RunningGateway.with(configuration) { running in
            let spec = try environment.pipeline(batchSize: 100, extra: billingSection(running, extra: "  rows: all\n"))
            let rows = (0..<200).map { index in (Self.dutchIBAN(), index % 2 == 0 ? "3.\(10 + index % 80)" : "\(20 + index).00") }
            let summary = try await environment.runner().run(spec, input: try csv(rows), options: RunOptions())
            #expect(summary.run.status == .completed && summary.run.counters.rowsAccepted == 200)
            let outcome = try await bill(summary.run.id, through: running, timeout: .milliseconds(300))
            #expect(outcome.deferred == 0)
            let run = "'\(summary.run.idText)'"
            let stats = running.simulator.stats()
            #expect(stats.faultsTimeoutAfterAccept > 5, "the fault fired: \(stats.faultsTimeoutAfterAccept)")
            let ledger = running.simulator.ledger()
            let attempts = try await environment.scalar("SELECT count(*) FROM sluice.billing_attempts WHERE run_id = \(run)")
            #expect(Int64(ledger.count) == attempts && attempts == 200)
            #expect(ledger.allSatisfy { $0.saleRequests == 1 }, "a timed-out sale was reconciled, never sent again")
            #expect(ledger.filter { $0.charges > 1 }.isEmpty)
            #expect(try await environment.scalar("SELECT count(*) FROM sluice.billing_attempts WHERE run_id = \(run) AND status IN ('planned', 'sending')") == 0)
            #expect(try await environment.scalar("SELECT count(*) FROM sluice.billing_attempts WHERE run_id = \(run) AND reconcile_tries > 0")
                    == Int64(stats.faultsTimeoutAfterAccept))
        }
    }

    @Test func aBurstOf5xxOpensTheBreakerPausesBillingAndItResumes() async throws {
        var configuration = GatewaySimulatorConfiguration()
        configuration.faults.failNext = Array(repeating: .error, count: 12)
        try await RunningGateway.with(configuration) { running in
            let spec = try environment.pipeline(batchSize: 100, extra: billingSection(running, maxInFlight: 2, extra: """
                  breaker: {window: 10, min_calls: 5, failure_rate: 0.5, cool_down_seconds: 1}

                """))
            let rows = (0..<40).map { _ in (Self.dutchIBAN(), "30.00") }
            let summary = try await environment.runner().run(spec, input: try csv(rows), options: RunOptions())
            let store = BillingStore(source: environment.database, logger: environment.logger)
            // Watch the billing while it runs: it says it is paused while the breaker is open.
            let watcher = Task {
                var sawPause = false
                while !Task.isCancelled {
                    if let current = try? await store.summary(of: summary.run.id), current.paused != nil { sawPause = true }
                    try? await Task.sleep(for: .milliseconds(20))
                }
                return sawPause
            }
            let started = ContinuousClock.now
            // An attempt whose sale requests all met the burst stays unanswered (deferred); the
            // job queue runs the job again, as these further passes do, and it is reconciled.
            var outcome = try await bill(summary.run.id, through: running)
            var approved = outcome.byStatus[.approved] ?? 0
            for _ in 0..<3 where outcome.deferred > 0 {
                outcome = try await bill(summary.run.id, through: running)
                approved += outcome.byStatus[.approved] ?? 0
            }
            watcher.cancel()
            #expect(await watcher.value, "the billing said it was paused")
            #expect(ContinuousClock.now - started >= .seconds(1), "it waited for the cool-down")
            #expect(outcome.deferred == 0 && approved == 40)
            let stats = running.simulator.stats()
            #expect(stats.faultsError == 12 && stats.charges == 40)
            #expect(running.simulator.ledger().allSatisfy { $0.charges == 1 })
            let final = try #require(try await store.summary(of: summary.run.id))
            #expect(final.paused == nil && final.state == .completed)
        }
    }

    @Test func theSimulatorMeasuresTheConfiguredRate() async throws {
        try await RunningGateway.with { running in
            let spec = try environment.pipeline(batchSize: 100, extra: """
                billing:
                  terminal: \(running.terminal)
                  rate_per_second: 40
                  max_in_flight: 16

                """)
            let summary = try await environment.runner().run(spec, input: try csv((0..<160).map { _ in (Self.dutchIBAN(), "30.00") }), options: RunOptions())
            _ = try await bill(summary.run.id, through: running)
            let rate = try #require(running.simulator.stats().saleRatePerSecond)
            #expect(abs(rate - 40) <= 4, "measured \(rate)/s against 40/s")
        }
    }

    @Test func aRunWithoutABillingSectionOrThatFailsIsNeverHandedOver() async throws {
        let plain = try environment.pipeline(batchSize: 100)
        let loaded = try await environment.runner().run(plain, input: try csv([(Self.dutchIBAN(), "5.00")]), options: RunOptions())
        #expect(loaded.run.status == .completed)
        #expect(try await environment.scalar("SELECT count(*) FROM sluice.billing_runs WHERE run_id = '\(loaded.run.idText)'") == 0)
        #expect(try await environment.scalar("SELECT count(*) FROM sluice.jobs WHERE dedupe_key = 'billing:\(loaded.run.idText)'") == 0)

        // Over its error budget, a billing pipeline's run ends failed_budget and bills nothing.
        let strict = try environment.pipeline(batchSize: 100, extra: "billing:\n  terminal: t1\nerror_budget:\n  max_rejected_rows: 0\n")
        let failed = try await environment.runner().run(strict, input: try csv([(Self.dutchIBAN(), "5.00"), ("NL00BROKEN", "5.00")]), options: RunOptions())
        #expect(failed.run.status == .failedBudget)
        #expect(try await environment.scalar("SELECT count(*) FROM sluice.billing_runs WHERE run_id = '\(failed.run.idText)'") == 0)
        #expect(try await environment.scalar("SELECT count(*) FROM sluice.jobs WHERE dedupe_key = 'billing:\(failed.run.idText)'") == 0)

        // A completed run of the same pipeline is handed over once, with its job.
        let billed = try await environment.runner().run(strict, input: try csv([(Self.dutchIBAN(), "5.00")]), options: RunOptions())
        #expect(billed.run.status == .completed)
        #expect(try await environment.scalar("SELECT count(*) FROM sluice.billing_runs WHERE run_id = '\(billed.run.idText)' AND state = 'planning'") == 1)
        #expect(try await environment.scalar("SELECT count(*) FROM sluice.jobs WHERE dedupe_key = 'billing:\(billed.run.idText)' AND kind = 'billing'") == 1)
        // A billing start on top of it adds nothing.
        let store = BillingStore(source: environment.database, logger: environment.logger)
        let settings = try #require(strict.billing)
        let job = try await store.handOff(runID: billed.run.id, pipeline: strict.name, targetTable: strict.target.description, settings: settings, requestedBy: "test")
        #expect(try await environment.scalar("SELECT id FROM sluice.jobs WHERE dedupe_key = 'billing:\(billed.run.idText)'") == job)
        await #expect(throws: SluiceError.self) {
            try await store.handOff(runID: failed.run.id, pipeline: strict.name, targetTable: strict.target.description, settings: settings, requestedBy: "test")
        }
        try await environment.withConnection { connection in
            try await connection.query("DELETE FROM sluice.jobs WHERE dedupe_key = \("billing:\(billed.run.idText)")", logger: environment.logger)
        }
    }
}
