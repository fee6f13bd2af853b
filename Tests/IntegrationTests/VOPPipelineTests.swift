import Foundation
import Logging
import SluiceCore
import SluicePipeline
import SluicePostgres
import SluiceSimulators
import SluiceTestSupport
import SluiceVOP
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Runs with `vop:` in the pipeline against the VOP simulator over HTTP, on the local
/// PostgreSQL: checks and paid answers commit with their batches, a second run is answered by
/// the cache, the daily budget holds across runs, and a run killed with SIGKILL resumes to one
/// check per row without paying twice for an answer it had stored.
@Suite(.serialized)
struct VOPPipelineTests {
    let environment: IntegrationEnvironment

    init() throws {
        environment = try IntegrationEnvironment()
    }

    /// A debtor file of its own and the simulator that knows its account holders: 85 %
    /// matching, some close, some other names, some unknown accounts. A fresh seed gives fresh
    /// IBANs, so answers cached by earlier tests (or `make demo`) never answer this one.
    struct Fixture {
        var input: String
        var simulator: VOPSimulatorConfiguration
    }

    static func fixture(rows: Int = 10_000, latencyMs: Int = 0) throws -> Fixture {
        let base = NSTemporaryDirectory() + "vop-\(UUID().uuidString.prefix(8))"
        _ = try IntegrationEnvironment.generate(rows: rows, seed: Int.random(in: 1_000...1_000_000_000), to: base + ".csv")
        let status = try IntegrationEnvironment.run(
            "/usr/bin/env", ["python3", IntegrationEnvironment.path("scripts/vop_holders.py"), base + ".csv", "--output", base + "-holders.csv"])
        #expect(status == 0)
        var faults = VOPFaultConfiguration()
        faults.latencyMs = latencyMs
        let holders = try AccountHolders.load(contentsOf: base + "-holders.csv")
        return Fixture(input: base + ".csv", simulator: VOPSimulatorConfiguration(holders: holders, faults: faults, recordLimit: 100))
    }

    func runID(of summary: RunSummary) -> String { "'\(summary.run.idText)'" }

    @Test func aRunVerifiesEveryAcceptedRowOnceAndARerunIsAnsweredByTheCache() async throws {
        let fixture = try Self.fixture()
        try await RunningSimulator.with(fixture.simulator) { simulator in
            let spec = try environment.pipeline(batchSize: 1000, extra: "vop:\n  max_in_flight: 16\n")
            var options = RunOptions()
            options.payeeVerifier = (simulator.verifier(.epc), .epc)
            let input = fixture.input
            let summary = try await environment.runner().run(spec, input: input, options: options)
            #expect(summary.run.status == .completed)
            let stats = try #require(summary.vop)
            #expect(stats.notVerifiable == 0)
            let run = runID(of: summary)

            // One check per row the stage saw: every accepted row, and every row it rejected.
            let checks = try await environment.scalar("SELECT count(*) FROM sluice.vop_checks WHERE run_id = \(run)")
            let vopRejected = try await environment.scalar(
                "SELECT count(*) FROM sluice.rejections WHERE run_id = \(run) AND code LIKE 'vop.%' AND outcome = 'rejected'")
            #expect(checks == summary.run.counters.rowsAccepted + vopRejected)
            #expect(try await environment.scalar("""
                SELECT count(*) FROM sluice.vop_checks c JOIN \(spec.target.quoted) t ON t.run_id = c.run_id AND t.source_line = c.source_line
                WHERE c.run_id = \(run) AND c.decision = 'rejected'
                """) == 0, "a rejected row is not loaded")

            // What the simulator answered is what the run paid for and recorded.
            let paid = try await environment.scalar("SELECT count(*) FROM sluice.vop_checks WHERE run_id = \(run) AND answered_by = 'provider'")
            #expect(Int64(simulator.simulator.stats().calls("epc")) == paid)
            #expect(Int64(stats.calls) == paid)
            for outcome in ["match", "close_match", "no_match", "not_possible"] {
                #expect(try await environment.scalar("SELECT count(*) FROM sluice.vop_checks WHERE run_id = \(run) AND outcome = '\(outcome)'") > 0, "\(outcome)")
            }
            #expect(try await environment.scalar("""
                SELECT count(*) FROM sluice.vop_checks WHERE run_id = \(run) AND outcome = 'close_match' AND (matched_name IS NULL OR decision <> 'flagged')
                """) == 0, "close matches are flagged with the holder's name kept")
            #expect(try await environment.scalar("SELECT count(*) FROM sluice.vop_results WHERE run_id = \(run)") == (try await environment.scalar("""
                SELECT count(*) FROM sluice.vop_checks WHERE run_id = \(run) AND answered_by = 'provider' AND outcome <> 'unavailable'
                """)), "every paid answer is cached, once")
            #expect(summary.run.counters.flaggedByReason["vop.close_match"] ?? 0 > 0)

            // The same file again: the cache answers every payee (not-possible answers are kept a day).
            simulator.simulator.reset()
            options.force = true
            let rerun = try await environment.runner().run(spec, input: input, options: options)
            #expect(rerun.run.status == .completed)
            let again = try #require(rerun.vop)
            #expect(simulator.simulator.stats().calls("epc") == 0, "nothing is paid for twice")
            let rerunChecks = try await environment.scalar("SELECT count(*) FROM sluice.vop_checks WHERE run_id = \(runID(of: rerun))")
            #expect(Int64(again.cacheHits) == rerunChecks, "\(again.cacheHits) of \(rerunChecks) from the cache")
            #expect(rerun.run.counters.rowsAccepted == summary.run.counters.rowsAccepted, "the cache gives the same outcomes")
        }
    }

    @Test func withoutAProviderAPipelineWithVOPRefusesToRun() async throws {
        let spec = try environment.pipeline(batchSize: 1000, extra: "vop:\n  enabled: true\n")
        let error = await #expect(throws: SluiceError.self) {
            _ = try await environment.runner().run(spec, input: IntegrationEnvironment.path("Samples/debtors-10k.csv"))
        }
        #expect(error?.reason.contains("SLUICE_VOP_URL") == true, "\(error?.reason ?? "")")
        #expect(try await environment.scalar("SELECT count(*) FROM sluice.runs WHERE pipeline = '\(spec.name)'") == 0, "nothing was started")
    }

    @Test func theDailyBudgetIsNeverOverspentByConcurrentReservations() async throws {
        try await environment.withConnection { connection in
            let provider = "it-" + UUID().uuidString.prefix(8)
            let budget = VOPDailyBudget(connection: connection, callsPerDay: 100, logger: environment.logger)
            let grants = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<8 { group.addTask { try await budget.reserve(30, provider: provider, now: Date()) } }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(grants.reduce(0, +) == 100, "\(grants)")
            #expect(try await budget.used(provider: provider, now: Date()) == 100)
            #expect(try await budget.reserve(5, provider: provider, now: Date()) == 0)
            let tomorrow = Date().addingTimeInterval(86_400)
            #expect(try await budget.reserve(5, provider: provider, now: tomorrow) == 5, "a new day, a new allowance")
        }
    }

    @Test func aRunOverItsDailyBudgetLeavesTheRestAcceptedAndNotVerified() async throws {
        let fixture = try Self.fixture()
        try await RunningSimulator.with(fixture.simulator) { simulator in
            // The budget is per provider and UTC day, shared with every run: allow 50 more calls than used so far.
            let used = try await environment.withConnection { connection in
                try await VOPDailyBudget(connection: connection, callsPerDay: 1, logger: environment.logger).used(provider: "bav", now: Date())
            }
            let spec = try environment.pipeline(batchSize: 1000, extra: "vop:\n  daily_budget: \(used + 50)\n  sampling_percent: 50\n")
            var options = RunOptions()
            options.payeeVerifier = (simulator.verifier(.bav), .bav)
            let summary = try await environment.runner().run(spec, input: fixture.input, options: options)
            #expect(summary.run.status == .completed)
            let run = runID(of: summary)
            #expect(simulator.simulator.stats().calls("bav") <= 50)
            #expect(try await environment.scalar("SELECT count(*) FROM sluice.vop_checks WHERE run_id = \(run) AND answered_by = 'provider'") <= 50)
            let overBudget = try await environment.scalar("SELECT count(*) FROM sluice.vop_checks WHERE run_id = \(run) AND outcome = 'over_budget'")
            let notSampled = try await environment.scalar("SELECT count(*) FROM sluice.vop_checks WHERE run_id = \(run) AND outcome = 'not_sampled'")
            #expect(overBudget > 1000 && notSampled > 1000)
            #expect(try await environment.scalar("""
                SELECT count(*) FROM sluice.vop_checks WHERE run_id = \(run) AND outcome IN ('over_budget', 'not_sampled') AND decision <> 'accepted'
                """) == 0, "rows not verified are accepted, not failed")
        }
    }

    @Test func aRunKilledMidFileResumesToOneCheckPerRowWithoutPayingTwice() async throws {
        let fixture = try Self.fixture(latencyMs: 3)
        try await RunningSimulator.with(fixture.simulator) { simulator in
            let pipeline = try IntegrationEnvironment.pipelineFile("vopkill", extra: "\nvop:\n  max_in_flight: 4\n")
            let cli = try SluiceCLI(environment: ["SLUICE_VOP_URL": simulator.epcURL, "SLUICE_VOP_PROVIDER": "epc"])
            let input = fixture.input
            let arguments = ["run", pipeline.path, "--input", input, "--batch-size", "250", "--no-progress"]
            let first = try cli.start(arguments)
            let deadline = ContinuousClock.now + .seconds(120)
            while first.isRunning, ContinuousClock.now < deadline, try await environment.committedBatches(pipeline: pipeline.name) < 6 {
                try await Task.sleep(for: .milliseconds(5))
            }
            first.kill(SIGKILL)
            let killed = first.wait()
            #expect(killed.killed, "the first attempt must die mid-file: \(killed.stderr)")
            let run = "(SELECT id FROM sluice.runs WHERE pipeline = '\(pipeline.name)')"
            let before = IntegrationEnvironment.uniqueName("vopkill_before")
            try await environment.withConnection { connection in
                try await connection.query("CREATE SCHEMA IF NOT EXISTS sluice_it", logger: environment.logger)
                try await connection.query(.init(unsafeSQL: """
                    CREATE TABLE sluice_it.\(before) AS
                    SELECT iban_sha256, normalized_name FROM sluice.vop_results WHERE run_id = \(run)
                    """), logger: environment.logger)
                try await connection.query(.init(unsafeSQL: """
                    CREATE TABLE sluice_it.\(before)_lines AS SELECT source_line FROM sluice.vop_checks WHERE run_id = \(run)
                    """), logger: environment.logger)
            }
            #expect(try await environment.scalar("SELECT count(*) FROM sluice_it.\(before)") > 0, "the killed attempt cached answers")
            simulator.simulator.reset()

            let resumed = try await cli.run(arguments)
            #expect(resumed.status == 0, "\(resumed.stderr)")
            #expect(try await environment.scalar("SELECT count(*) FROM sluice.runs WHERE pipeline = '\(pipeline.name)' AND status = 'completed'") == 1)
            // One check per row the stage saw, across both attempts.
            let checks = try await environment.scalar("SELECT count(*) FROM sluice.vop_checks WHERE run_id = \(run)")
            let accepted = try await environment.scalar("SELECT rows_accepted FROM sluice.runs WHERE pipeline = '\(pipeline.name)'")
            let vopRejected = try await environment.scalar(
                "SELECT count(*) FROM sluice.rejections WHERE run_id = \(run) AND code LIKE 'vop.%' AND outcome = 'rejected'")
            #expect(checks == accepted + vopRejected)
            #expect(try await environment.scalar("SELECT count(*) FROM \(pipeline.table)") == accepted)
            #expect(try await environment.scalar("SELECT count(DISTINCT source_line) FROM \(pipeline.table)") == accepted)
            // No answer the killed attempt had stored was paid for again.
            #expect(try await environment.scalar("""
                SELECT count(*) FROM sluice.vop_checks c
                JOIN sluice_it.\(before) b ON b.iban_sha256 = c.iban_sha256 AND b.normalized_name = c.normalized_name
                WHERE c.run_id = \(run) AND c.answered_by = 'provider'
                  AND c.source_line NOT IN (SELECT source_line FROM sluice_it.\(before)_lines)
                """) == 0)
            // And the calls the simulator saw after the kill are the resumed attempt's paid checks.
            let paidAfter = try await environment.scalar("""
                SELECT count(*) FROM sluice.vop_checks WHERE run_id = \(run) AND answered_by = 'provider'
                  AND source_line NOT IN (SELECT source_line FROM sluice_it.\(before)_lines)
                """)
            #expect(Int64(simulator.simulator.stats().calls("epc")) == paidAfter)
        }
    }
}
