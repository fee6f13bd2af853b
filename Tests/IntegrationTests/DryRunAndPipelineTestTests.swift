import Foundation
import SluiceCore
import SluicePipeline
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `sluice run --dry-run`, `sluice test` and resuming under a changed pipeline file, on the real
/// stack with the real binary. (Issue 15.)
@Suite(.serialized)
struct DryRunAndPipelineTestTests {
    let environment: IntegrationEnvironment
    let cli: SluiceCLI

    init() throws {
        environment = try IntegrationEnvironment()
        cli = try SluiceCLI()
    }

    static func temporaryDirectory() throws -> String {
        let directory = NSTemporaryDirectory() + "sluice-pt-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return directory
    }

    /// Rows of the tables a dry run must not write, by table.
    func untouchedCounts() async throws -> [String: Int64] {
        var counts: [String: Int64] = [:]
        for table in ["sluice.blacklist", "sluice.billing_attempts", "sluice.billing_runs", "sluice.debtor_profiles"] {
            counts[table] = try await environment.scalar("SELECT CASE WHEN to_regclass('\(table)') IS NULL THEN -1 ELSE (SELECT count(*) FROM \(table)) END")
        }
        return counts
    }

    @Test func aDryRunWritesNothingAndARealRunOfTheSameObjectLoadsAfterIt() async throws {
        let folder = try Self.temporaryDirectory()
        let pipeline = try IntegrationEnvironment.pipelineFile("dry", in: folder)
        let input = IntegrationEnvironment.path("Samples/debtors-10k.csv")
        let report = folder + "/dry.rejections.csv"
        let before = try await untouchedCounts()

        let dry = try await cli.run(["run", pipeline.path, "--input", input, "--dry-run", "--report", report, "--json", "--no-progress"])
        #expect(dry.status == 0, "\(dry.stderr)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(dry.stdout.utf8)) as? [String: Any])
        #expect(summary["mode"] as? String == "dry_run")
        #expect(summary["dry_run_report"] as? String == report)
        let totals = try #require(summary["totals"] as? [String: Any])
        let accepted = try #require(totals["rows_accepted"] as? Int)
        let rejected = try #require(totals["rows_rejected"] as? Int)
        #expect(accepted > 8_000 && rejected > 500)

        // Nothing in the target table (it was not even created), billing or the blacklist.
        #expect(try await environment.scalar("SELECT count(*) FROM pg_class WHERE oid = to_regclass('\(pipeline.table)')") == 0)
        #expect(try await untouchedCounts() == before)
        // Recorded as a dry run, with its rejections, and the report lists them.
        #expect(try await environment.strings("SELECT mode || ' ' || status FROM sluice.runs WHERE pipeline = '\(pipeline.name)'") == ["dry_run completed"])
        #expect(try await environment.scalar("""
            SELECT count(DISTINCT byte_offset) FROM sluice.rejections r JOIN sluice.runs u ON u.id = r.run_id
            WHERE u.pipeline = '\(pipeline.name)' AND r.outcome = 'rejected'
            """) == Int64(rejected))
        // One CSV record per rejected row (CRLF-terminated; addresses may hold bare line breaks), plus the header.
        let records = try String(contentsOfFile: report, encoding: .utf8).components(separatedBy: "\r\n").filter { !$0.isEmpty }
        #expect(records.count == rejected + 1)

        // The real run is neither blocked nor resumed by the dry run: it loads the object.
        let real = try await cli.run(["run", pipeline.path, "--input", input, "--json", "--no-progress"])
        #expect(real.status == 0, "\(real.stderr)")
        #expect(try await environment.scalar("SELECT count(*) FROM \(pipeline.table)") == Int64(accepted))
        #expect(try await environment.strings("SELECT mode || ' ' || status FROM sluice.runs WHERE pipeline = '\(pipeline.name)' ORDER BY started_at")
                == ["dry_run completed", "load completed"])
        // And a dry run after the load is still allowed (the object was loaded; a dry run is not a load).
        let again = try await cli.run(["run", pipeline.path, "--input", input, "--dry-run", "--report", report, "--no-progress"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("dry run: nothing was written"))
    }

    @Test func aDryRunKilledWithSIGKILLNeverBlocksARealRun() async throws {
        let folder = try Self.temporaryDirectory()
        let input = folder + "/debtors-40k.csv"
        let manifest = try IntegrationEnvironment.generate(rows: 40_000, seed: 15, to: input)
        let pipeline = try IntegrationEnvironment.pipelineFile("drykill", in: folder)
        let dry = try cli.start(["run", pipeline.path, "--input", input, "--dry-run", "--batch-size", "200", "--no-progress"])
        let deadline = ContinuousClock.now + .seconds(120)
        while dry.isRunning, ContinuousClock.now < deadline, try await environment.committedBatches(pipeline: pipeline.name) < 5 {
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(dry.isRunning, "the dry run finished before it could be killed")
        dry.kill(SIGKILL)
        #expect(dry.wait().killed)

        // The killed dry run still holds its lease, and a real run starts at once all the same.
        let real = try await cli.run(["run", pipeline.path, "--input", input, "--no-progress", "--lock-wait", "0"])
        #expect(real.status == 0, "\(real.stderr)")
        let accepted = Int64(manifest.rows) - manifest.expectedRejectedRows
        #expect(try await environment.scalar("SELECT count(*) FROM \(pipeline.table)") == accepted)
        #expect(try await environment.strings("SELECT mode || ' ' || status FROM sluice.runs WHERE pipeline = '\(pipeline.name)' ORDER BY started_at")
                == ["dry_run running", "load completed"])
        // A dry run never resumes: asking to is refused.
        let dryID = try #require(try await environment.strings("SELECT id::text FROM sluice.runs WHERE pipeline = '\(pipeline.name)' AND mode = 'dry_run'").first)
        let resume = try await cli.run(["run", pipeline.path, "--input", input, "--resume", dryID, "--no-progress"])
        #expect(resume.status == 7)
        #expect(resume.stderr.contains("is a dry run; only loads resume"))
    }

    @Test func aResumeUnderAChangedPipelineFileIsRefusedAndGoesOnOnceTheFileIsBack() async throws {
        let folder = try Self.temporaryDirectory()
        let pipeline = try IntegrationEnvironment.pipelineFile("plan", in: folder)
        let original = try String(contentsOfFile: pipeline.path, encoding: .utf8)
        let input = IntegrationEnvironment.path("Samples/debtors-10k.csv")
        // Stop after the first batches, as an interrupt would: the run is left to resume.
        var options = RunOptions(batchSize: 500)
        let control = options.control
        options.onProgress = { progress in if progress.counters.batches >= 2 { _ = control.requestStop(.interrupt) } }
        let spec = try PipelineSpec.load(path: pipeline.path)
        let first = try await environment.runner().run(spec, input: input, options: options)
        #expect(first.run.status == .interrupted)

        // A column's type and an alias changed: the rest would be mapped differently.
        let changed = original
            .replacingOccurrences(of: "  - name: city\n", with: "  - name: city\n    type: integer\n")
            .replacingOccurrences(of: "aliases: [sum, total, price]", with: "aliases: [sum, total]")
        try changed.write(toFile: pipeline.path, atomically: true, encoding: .utf8)
        let refused = try await cli.run(["run", pipeline.path, "--input", input, "--no-progress"])
        #expect(refused.status == 7)
        #expect(refused.stderr.contains("the pipeline file changed since run \(first.run.idText) began"))
        #expect(refused.stderr.contains("column city: type text → integer"))
        #expect(refused.stderr.contains("column amount: aliases [sum, total, price] → [sum, total]"))
        #expect(try await environment.scalar("SELECT rows_read FROM sluice.runs WHERE id = '\(first.run.idText)'") == first.run.counters.rowsRead)

        // With the file as it was, the run resumes and completes.
        try original.write(toFile: pipeline.path, atomically: true, encoding: .utf8)
        let resumed = try await cli.run(["run", pipeline.path, "--input", input, "--no-progress", "--json"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(try await environment.strings("SELECT status FROM sluice.runs WHERE id = '\(first.run.idText)'") == ["completed"])
    }

    @Test func sluiceTestPassesOnEveryShippedPipeline() async throws {
        let pipelines = IntegrationEnvironment.path("pipelines")
        // Every shipped pipeline lints clean, warnings included.
        let lint = try await cli.run(["lint", "--strict", pipelines])
        #expect(lint.status == 0, "\(lint.stdout)\n\(lint.stderr)")
        let result = try await cli.run(["test", "--folder", pipelines])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains(" 0 failed"))
        // Every pipeline file ships with tests.
        let files = try FileManager.default.contentsOfDirectory(atPath: pipelines).filter { $0.hasSuffix(".yaml") }
        #expect(!result.stderr.contains("has no tests"), "\(result.stderr)")
        #expect(result.stdout.components(separatedBy: "\nPASS ").count - 1 + (result.stdout.hasPrefix("PASS ") ? 1 : 0) >= files.count)
        // Nothing is left behind: no scratch schema, no test run.
        #expect(try await environment.scalar("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'sluice\\_test\\_%'") == 0)
    }

    /// A copy of the debtors pipeline with one fixture, in a folder of its own.
    func fixtureFolder(expected: String, rows: [String]) throws -> String {
        let folder = try Self.temporaryDirectory()
        let yaml = try IntegrationEnvironment.debtorsYAML(name: "mini") + IntegrationEnvironment.withoutScreening
        try yaml.write(toFile: folder + "/mini.yaml", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: folder + "/tests/mini", withIntermediateDirectories: true)
        let header = "external_id,first_name,last_name,email,iban,amount,mandate_date"
        try ([header] + rows).joined(separator: "\n").appending("\n").write(toFile: folder + "/tests/mini/input.csv", atomically: true, encoding: .utf8)
        try expected.write(toFile: folder + "/tests/mini/expected.yaml", atomically: true, encoding: .utf8)
        return folder
    }

    static let miniRows = [
        #"A-1,John,"Smith ""JJ""",j@example.com,DE89 3704 0044 0532 0130 00,"12,5",01.03.2024"#,
        "A-2,Ann,Lee,a@example.com,DE88370400440532013000,10.00,2024-03-01",
    ]

    static let miniExpected = "accepted: 1\nrejected: { iban.checksum: 1 }\nflagged: { last_name.normalised: 1 }\n"

    @Test func sluiceTestFailsWithAReadableDiffWhenTheFixtureIsChanged() async throws {
        let good = """
            accepted: 1
            rejected: { iban.checksum: 1 }
            flagged: { last_name.normalised: 1 }
            rows:
              - { line: 2, iban: DE89370400440532013000, amount: "12.50", last_name: Smith JJ, mandate_date: "2024-03-01" }
            """
        let passing = try await cli.run(["test", "--folder", try fixtureFolder(expected: good, rows: Self.miniRows)])
        #expect(passing.status == 0, "\(passing.stdout)\n\(passing.stderr)")
        #expect(passing.stdout.contains("PASS mini"))

        let changed = good.replacingOccurrences(of: "accepted: 1", with: "accepted: 2")
            .replacingOccurrences(of: "amount: \"12.50\"", with: "amount: \"12.00\"")
            .replacingOccurrences(of: "iban.checksum: 1", with: "iban.checksum: 1, amount.format: 1")
        let failing = try await cli.run(["test", "--folder", try fixtureFolder(expected: changed, rows: Self.miniRows)])
        #expect(failing.status == 12)
        #expect(failing.stdout.contains("FAIL mini"))
        #expect(failing.stdout.contains("accepted: expected 2, got 1"))
        #expect(failing.stdout.contains("rejected amount.format: expected 1, got 0"))
        #expect(failing.stdout.contains("row at line 2, amount: expected \"12.00\", got \"12.50\""))
        #expect(failing.stdout.contains("0 passed, 1 failed"))
    }

    @Test func sluiceTestScreensAgainstTheFixturesBlacklistWithoutWritingIt() async throws {
        let expected = """
            accepted: 1
            rejected: { iban.checksum: 1, blacklist.email: 1 }
            blacklist:
              - { email: J@Example.com }
            """
        let blacklisted = try await environment.scalar("SELECT count(*) FROM sluice.blacklist")
        let folder = try fixtureFolder(expected: expected, rows: Self.miniRows + ["A-3,Max,Muster,m@example.com,DE89370400440532013000,11.00,2024-03-01"])
        let yaml = try String(contentsOfFile: folder + "/mini.yaml", encoding: .utf8).replacingOccurrences(of: IntegrationEnvironment.withoutScreening, with: "\nscreening: {checks: [email_blacklist]}\n")
        try yaml.write(toFile: folder + "/mini.yaml", atomically: true, encoding: .utf8)
        let result = try await cli.run(["test", "--folder", folder])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(try await environment.scalar("SELECT count(*) FROM sluice.blacklist") == blacklisted)
    }

    @Test func aTestKilledWithSIGKILLIsCleanedUpByTheNextTest() async throws {
        let folder = try fixtureFolder(expected: Self.miniExpected, rows: Self.miniRows)
        // A big input, so the test is still running when it is killed.
        let big = folder + "/tests/mini/input.csv"
        _ = try IntegrationEnvironment.generate(rows: 40_000, seed: 16, to: big)
        try FileManager.default.removeItem(atPath: big + ".manifest.json")
        let yaml = try String(contentsOfFile: folder + "/mini.yaml", encoding: .utf8).replacingOccurrences(of: "batch_size: 16384", with: "batch_size: 200")
        try yaml.write(toFile: folder + "/mini.yaml", atomically: true, encoding: .utf8)
        let running = try cli.start(["test", "--folder", folder])
        let deadline = ContinuousClock.now + .seconds(120)
        while running.isRunning, ContinuousClock.now < deadline,
              try await environment.scalar("SELECT coalesce(max(batches), 0) FROM sluice.runs WHERE mode = 'test' AND pipeline = 'mini'") < 5 {
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(running.isRunning, "the test finished before it could be killed")
        running.kill(SIGKILL)
        _ = running.wait()
        let schema = try #require(try await environment.strings("SELECT split_part(target_table, '.', 1) FROM sluice.runs WHERE mode = 'test' AND pipeline = 'mini'").first)
        #expect(try await environment.scalar("SELECT count(*) FROM pg_namespace WHERE nspname = '\(schema)'") == 1)

        // Once the dead test's lease has run out, the next `sluice test` removes what it left.
        while try await environment.scalar("SELECT count(*) FROM sluice.runs WHERE mode = 'test' AND pipeline = 'mini' AND lease_expires_at > now()") > 0 {
            try await Task.sleep(for: .milliseconds(200))
        }
        let small = try fixtureFolder(expected: Self.miniExpected, rows: Self.miniRows)
        let next = try await cli.run(["test", "--folder", small])
        #expect(next.status == 0, "\(next.stdout)\n\(next.stderr)")
        #expect(try await environment.scalar("SELECT count(*) FROM pg_namespace WHERE nspname = '\(schema)'") == 0)
        #expect(try await environment.scalar("SELECT count(*) FROM sluice.runs WHERE mode = 'test'") == 0)
    }
}
