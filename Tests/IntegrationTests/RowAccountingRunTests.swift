import Foundation
import PostgresNIO
import SluiceCore
import SluiceTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Issue 9, defects 1, 2, 4 and 8, and the run invariant, on the real stack through the real
/// binary: no row is loaded twice or lost, whatever the sheet's row numbers, a crash, a
/// `touch` or a quick re-run after a crash.
@Suite(.serialized)
struct RowAccountingRunTests {
    let environment: IntegrationEnvironment
    let cli: SluiceCLI

    init() throws {
        environment = try IntegrationEnvironment()
        cli = try SluiceCLI()
    }

    typealias Pipeline = IntegrationEnvironment.PipelineFile

    func pipeline(_ prefix: String, extra: String = "") throws -> Pipeline {
        try IntegrationEnvironment.pipelineFile(prefix, extra: extra)
    }

    static let header = ["external_id", "first_name", "last_name", "iban", "amount"]

    static func debtor(_ number: Int) -> [String] {
        ["X\(number)", "Anna", "Schmidt", "DE89370400440532013000", "\(number % 90 + 10).00"]
    }

    func committedBatches(_ pipeline: Pipeline) async throws -> Int64 {
        try await environment.committedBatches(pipeline: pipeline.name)
    }

    /// Starts a run and kills it with SIGKILL once `batches` are committed.
    func runAndKill(_ pipeline: Pipeline, input: String, batchSize: Int, after batches: Int64) async throws {
        let running = try cli.start(["run", pipeline.path, "--input", input, "--batch-size", "\(batchSize)", "--no-progress"])
        let deadline = ContinuousClock.now + .seconds(120)
        while running.isRunning, ContinuousClock.now < deadline, try await committedBatches(pipeline) < batches {
            try await Task.sleep(for: .milliseconds(5))
        }
        running.kill()
        let result = running.wait()
        #expect(result.killed, "the run finished before it could be killed: \(result.stderr)")
    }

    func expectEveryRowOnce(_ pipeline: Pipeline, rows: Int64) async throws {
        #expect(try await environment.scalar("SELECT count(*) FROM \(pipeline.table)") == rows)
        #expect(try await environment.scalar("SELECT count(DISTINCT external_id) FROM \(pipeline.table)") == rows)
        #expect(try await environment.scalar("SELECT rows_read FROM sluice.runs WHERE pipeline = '\(pipeline.name)' AND status = 'completed'") == rows)
    }

    // MARK: - Defect 1: XLSX resume by position

    /// 30,000 rows numbered 30,001 down to 2 (the header is first, at r=30002): killed after a
    /// few batches and run again, every row is in the table exactly once.
    @Test(arguments: ["local", "s3"])
    func anXLSXSheetNumberedDownwardsResumesWithEveryRowOnce(from place: String) async throws {
        let count = 30_000
        var rows = [TinyWorkbook.row(String(count + 2), Self.header)]
        for number in 1...count { rows.append(TinyWorkbook.row(String(count + 2 - number), Self.debtor(number))) }
        let path = try TinyWorkbook.write(rows: rows, name: "descending")
        let input = place == "s3" ? try await environment.upload(path, key: "it/\(UUID())/descending.xlsx") : path
        let pipeline = try pipeline("desc")

        try await runAndKill(pipeline, input: input, batchSize: 100, after: 40)
        let again = try await cli.run(["run", pipeline.path, "--input", input, "--batch-size", "100", "--no-progress"])
        #expect(again.status == 0, "\(again.stderr)")
        try await expectEveryRowOnce(pipeline, rows: Int64(count))
        // Lines are the row numbers Excel shows; positions are unique.
        #expect(try await environment.scalar("SELECT min(source_line) FROM \(pipeline.table)") == 2)
        #expect(try await environment.scalar("SELECT count(DISTINCT source_offset) FROM \(pipeline.table)") == Int64(count))
    }

    // MARK: - Defect 2: no row disappears

    @Test func dataRowsNumberedBelowTheHeaderAndRowZeroAreAllAccountedFor() async throws {
        let rows = [
            TinyWorkbook.row("10", Self.header),
            TinyWorkbook.row("2", Self.debtor(2)),
            TinyWorkbook.row("3", Self.debtor(3)),
            TinyWorkbook.row("4", Self.debtor(4)),
            #"<row r="5"/>"#,
            TinyWorkbook.row("0", Self.debtor(5)),
            TinyWorkbook.row("11", Self.debtor(11)),
        ]
        let path = try TinyWorkbook.write(rows: rows, name: "below-header")
        let pipeline = try pipeline("below")
        let result = try await cli.run(["run", pipeline.path, "--input", path, "--no-progress", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let summary = try JSONDecoder().decode(Summary.self, from: Data(result.stdout.utf8))
        #expect(summary.totals.rows_read == 5)
        #expect(summary.totals.rows_accepted == 4)
        #expect(summary.totals.rows_rejected == 1)
        #expect(summary.totals.rows_skipped == 1, "the blank row is counted")
        #expect(summary.totals.rejected_by_reason["xlsx.row_number"] == 1)

        let inspect = try await cli.run(["inspect", path, "--format", "jsonl"])
        #expect(inspect.status == 0)
        #expect(inspect.stdout.contains("X2") && inspect.stdout.contains("X11") && inspect.stdout.contains("X5"), "inspect shows every row")
    }

    struct Summary: Decodable {
        struct Totals: Decodable {
            var rows_read: Int64
            var rows_accepted: Int64
            var rows_rejected: Int64
            var rows_skipped: Int64
            var rejected_by_reason: [String: Int64]
        }
        var run_id: String
        var status: String
        var totals: Totals
    }

    // MARK: - The run invariant

    /// Someone deleted a loaded row of an unfinished run: the resumed run does not complete.
    @Test func aRunWhoseRowsDoNotAddUpFailsLoudlyInsteadOfCompleting() async throws {
        let path = NSTemporaryDirectory() + "invariant-\(UUID().uuidString.prefix(8)).csv"
        let manifest = try IntegrationEnvironment.generate(rows: 500, seed: 21, to: path)
        let pipeline = try pipeline("inv")
        let first = try await cli.run(["run", pipeline.path, "--input", path, "--batch-size", "100", "--no-progress"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(manifest.rows == 500)
        try await environment.withConnection { connection in
            try await connection.query("UPDATE sluice.runs SET status = 'failed' WHERE pipeline = \(pipeline.name)", logger: environment.logger)
        }
        _ = try await environment.scalar("WITH gone AS (DELETE FROM \(pipeline.table) WHERE ctid IN (SELECT ctid FROM \(pipeline.table) LIMIT 1) RETURNING 1) SELECT count(*) FROM gone")

        let resumed = try await cli.run(["run", pipeline.path, "--input", path, "--batch-size", "100", "--no-progress"])
        #expect(resumed.status == 9, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("do not add up"))
        #expect(resumed.stderr.contains("the target table holds"))
        #expect(try await environment.strings("SELECT status FROM sluice.runs WHERE pipeline = '\(pipeline.name)'") == ["failed"])
    }

    /// PostgreSQL stores fewer rows than a batch accepted (here a trigger drops some): the
    /// batch rolls back and the run stops, instead of a checkpoint that does not match the table.
    @Test func aBatchWhoseRowsPostgreSQLDidNotAllStoreIsNotCommitted() async throws {
        let path = NSTemporaryDirectory() + "dropped-\(UUID().uuidString.prefix(8)).csv"
        _ = try IntegrationEnvironment.generate(rows: 300, seed: 24, to: path)
        let pipeline = try pipeline("drop")
        let first = try await cli.run(["run", pipeline.path, "--input", path, "--batch-size", "100", "--no-progress"])
        #expect(first.status == 0, "\(first.stderr)")
        let loaded = try await environment.scalar("SELECT count(*) FROM \(pipeline.table)")
        try await environment.withConnection { connection in
            try await connection.query(PostgresQuery(unsafeSQL: """
                CREATE FUNCTION \(pipeline.table)_drop() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN IF NEW.source_line % 10 = 3 THEN RETURN NULL; END IF; RETURN NEW; END $$
                """), logger: environment.logger)
            try await connection.query(PostgresQuery(unsafeSQL: """
                CREATE TRIGGER drop_some BEFORE INSERT ON \(pipeline.table) FOR EACH ROW EXECUTE FUNCTION \(pipeline.table)_drop()
                """), logger: environment.logger)
        }
        let again = try await cli.run(["run", pipeline.path, "--input", path, "--batch-size", "100", "--force", "--no-progress"])
        #expect(again.status == 9, "\(again.stderr)")
        #expect(again.stderr.contains("PostgreSQL stored"), "\(again.stderr)")
        #expect(try await environment.scalar("SELECT count(*) FROM \(pipeline.table)") == loaded, "the failed batch left no row")
        #expect(try await environment.strings("SELECT status FROM sluice.runs WHERE pipeline = '\(pipeline.name)' ORDER BY started_at") == ["completed", "failed"])
    }

    // MARK: - Defect 4: a touched local file is the same object

    @Test func aTouchedLocalFileIsNotLoadedTwiceButAChangedOneIs() async throws {
        let path = NSTemporaryDirectory() + "touch-\(UUID().uuidString.prefix(8)).csv"
        let manifest = try IntegrationEnvironment.generate(rows: 300, seed: 22, to: path)
        let pipeline = try pipeline("touch")
        let first = try await cli.run(["run", pipeline.path, "--input", path, "--no-progress"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(try await environment.strings("SELECT content_sha256 FROM sluice.runs WHERE pipeline = '\(pipeline.name)'").first?.count == 64,
                "the content hash is taken while loading")

        try Self.touch(path, secondsAhead: 120)
        let touched = try await cli.run(["run", pipeline.path, "--input", path, "--no-progress"])
        #expect(touched.status == 3, "\(touched.stderr)")
        #expect(touched.stderr.contains("only its modification time changed"))

        // Same size, one byte different: a new object.
        var bytes = try Array(Data(contentsOf: URL(fileURLWithPath: path)))
        let index = bytes.lastIndex(of: UInt8(ascii: "X")) ?? bytes.lastIndex(of: UInt8(ascii: "E"))!
        bytes[index] = bytes[index] == UInt8(ascii: "X") ? UInt8(ascii: "Y") : UInt8(ascii: "F")
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let changed = try await cli.run(["run", pipeline.path, "--input", path, "--no-progress"])
        #expect(changed.status == 0, "\(changed.stderr)")
        #expect(try await environment.scalar("SELECT count(*) FROM sluice.runs WHERE pipeline = '\(pipeline.name)' AND status = 'completed'") == 2)
        #expect(manifest.rows == 300)
    }

    @Test func aKilledRunOfATouchedFileResumesInsteadOfStartingOver() async throws {
        let path = NSTemporaryDirectory() + "touch-kill-\(UUID().uuidString.prefix(8)).csv"
        let manifest = try IntegrationEnvironment.generate(rows: 40_000, seed: 23, to: path)
        let pipeline = try pipeline("touchkill")
        try await runAndKill(pipeline, input: path, batchSize: 200, after: 20)
        try Self.touch(path, secondsAhead: 60)
        let again = try await cli.run(["run", pipeline.path, "--input", path, "--batch-size", "200", "--no-progress"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try await environment.scalar("SELECT count(*) FROM sluice.runs WHERE pipeline = '\(pipeline.name)'") == 1, "the same run resumed")
        #expect(try await environment.scalar("SELECT rows_read FROM sluice.runs WHERE pipeline = '\(pipeline.name)'") == Int64(manifest.rows))
        #expect(try await environment.scalar("SELECT count(*) FROM \(pipeline.table)") == Int64(manifest.rows) - manifest.expectedRejectedRows)
    }

    static func touch(_ path: String, secondsAhead: Int) throws {
        var times = [timespec(tv_sec: time(nil) + secondsAhead, tv_nsec: 0), timespec(tv_sec: time(nil) + secondsAhead, tv_nsec: 0)]
        guard utimensat(AT_FDCWD, path, &times, 0) == 0 else { throw SetupError("cannot touch \(path)") }
    }

    // MARK: - Defect 8: a re-run right after a crash

    @Test func aRerunRightAfterSIGKILLFinishesTheRun() async throws {
        let path = NSTemporaryDirectory() + "rerun-\(UUID().uuidString.prefix(8)).csv"
        let manifest = try IntegrationEnvironment.generate(rows: 40_000, seed: 24, to: path)
        let pipeline = try pipeline("rerun")
        try await runAndKill(pipeline, input: path, batchSize: 200, after: 10)
        let again = try await cli.run(["run", pipeline.path, "--input", path, "--batch-size", "200", "--no-progress"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try await environment.scalar("SELECT count(*) FROM \(pipeline.table)") == Int64(manifest.rows) - manifest.expectedRejectedRows)
    }

    /// A run whose lease another live process holds: the CLI says who holds it and when the
    /// lease expires, waits as long as it is told, then fails with what to do.
    @Test func aRunHeldByAnotherProcessWaitsThenSaysWhoHoldsIt() async throws {
        let path = NSTemporaryDirectory() + "held-\(UUID().uuidString.prefix(8)).csv"
        _ = try IntegrationEnvironment.generate(rows: 20_000, seed: 25, to: path)
        let pipeline = try pipeline("held")
        try await runAndKill(pipeline, input: path, batchSize: 200, after: 5)
        let hold = "UPDATE sluice.runs SET lease_owner = 'elsewhere/42', lease_token = gen_random_uuid(), lease_expires_at = now() + interval '1 hour' WHERE pipeline = '\(pipeline.name)' RETURNING 1"
        _ = try await environment.scalar(hold)

        let held = try await cli.run(["run", pipeline.path, "--input", path, "--no-progress", "--lock-wait", "1.5"])
        #expect(held.status == 7, "\(held.stderr)")
        #expect(held.stderr.contains("is held by elsewhere/42, whose lease expires in"))
        #expect(held.stderr.contains("waiting up to 1.5 s"))
        #expect(held.stderr.contains("still held by elsewhere/42"))
        #expect(held.seconds >= 1.5)

        // The holder's lease runs out while a run waits: it takes over and finishes.
        let waiting = try cli.start(["run", pipeline.path, "--input", path, "--no-progress", "--lock-wait", "60"])
        try await Task.sleep(for: .seconds(1))
        _ = try await environment.scalar("UPDATE sluice.runs SET lease_expires_at = now() WHERE pipeline = '\(pipeline.name)' RETURNING 1")
        let result = waiting.wait()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try await environment.strings("SELECT status FROM sluice.runs WHERE pipeline = '\(pipeline.name)'") == ["completed"])
    }
}
