import Foundation
import SluiceCore
import SluicePipeline
import Synchronization
import Testing

/// The flagged outcome and stage effects (issue 10): a flagged row reaches the table, the
/// counters and the report; effects commit in the batch's transaction, exactly once across a
/// failure and a resume.
@Suite(.serialized)
struct FlagsAndEffectsTests {
    let environment: IntegrationEnvironment

    init() throws {
        environment = try IntegrationEnvironment()
    }

    /// Flags every tenth row it sees accepted, and hands one effect row per batch to the sink.
    final class ReviewStage: Stage {
        let name: StageName = "review"
        let effectsTable: String
        let flagged = Mutex(0)

        init(effectsTable: String) { self.effectsTable = effectsTable }

        func process(_ batch: inout RecordBatch) async throws {
            var count = 0
            for row in 0..<batch.rowCount where batch.status[row] == .accepted && batch.lines[row] % 10 == 0 {
                batch.flag(row: row, code: "review.sample", message: "every tenth line is looked at", column: "name")
                count += 1
            }
            flagged.withLock { $0 += count }
            batch.effects.append(StageEffect(
                table: effectsTable, columns: ["run_batch", "flagged", "note"],
                rows: [[String(batch.sequence), String(count), "tab\there, quote \" and \\ backslash"]]))
        }
    }

    /// Fails the run at one batch, after the review stage has worked on it.
    struct FailAt: Stage {
        let name: StageName = "fail"
        let sequence: Int
        func process(_ batch: inout RecordBatch) async throws {
            if batch.sequence == sequence { throw SluiceError(.internalError, "failing on purpose at batch \(sequence)") }
        }
    }

    func effectsTable() async throws -> String {
        let table = "sluice_it." + IntegrationEnvironment.uniqueName("effects")
        try await environment.withConnection { connection in
            try await connection.query("CREATE SCHEMA IF NOT EXISTS sluice_it", logger: environment.logger)
            try await connection.query(.init(unsafeSQL: "CREATE TABLE \(table) (run_batch integer NOT NULL, flagged integer NOT NULL, note text)"), logger: environment.logger)
        }
        return table
    }

    @Test func aFlaggedRowReachesTheTableTheCountersAndTheReport() async throws {
        let spec = try environment.pipeline(batchSize: 1000)
        let table = try await effectsTable()
        let review = ReviewStage(effectsTable: table)
        var options = RunOptions()
        options.additionalStages = [review]
        let summary = try await environment.runner().run(spec, input: IntegrationEnvironment.path("Samples/debtors-10k.csv"), options: options)
        #expect(summary.run.status == .completed)
        let flagged = Int64(review.flagged.withLock { $0 })
        #expect(flagged > 500)
        #expect(summary.run.counters.rowsFlagged == flagged)
        #expect(summary.run.counters.flaggedByReason == ["review.sample": flagged])
        #expect(try await environment.scalar("SELECT count(*) FROM \(spec.target.quoted)") == summary.run.counters.rowsAccepted, "flagged rows are loaded")
        #expect(try await environment.scalar("SELECT count(*) FROM \(spec.target.quoted) WHERE source_line % 10 = 0") == flagged)
        #expect(try await environment.scalar("SELECT count(*) FROM sluice.rejections WHERE run_id = '\(summary.run.idText)' AND outcome = 'flagged'") == flagged)
        #expect(try await environment.scalar("SELECT rows_flagged FROM sluice.runs WHERE id = '\(summary.run.idText)'") == flagged)
        #expect(try await environment.scalar("SELECT count(*) FROM \(table)") == summary.run.counters.batches, "one effect row per committed batch")
        #expect(try await environment.strings("SELECT DISTINCT note FROM \(table)") == ["tab\there, quote \" and \\ backslash"], "effect text survives COPY escaping")

        let cli = try SluiceCLI()
        let report = NSTemporaryDirectory() + "flagged-\(UUID().uuidString.prefix(8)).csv"
        let written = try await cli.run(["report", "rejections", summary.run.idText, "--flagged", "--output", report])
        #expect(written.status == 0, "\(written.stderr)")
        // Count occurrences, not lines: the CSV report ends rows with CRLF, and raw records hold newlines.
        let flaggedReport = try String(contentsOfFile: report, encoding: .utf8)
        #expect(flaggedReport.components(separatedBy: "review.sample").count - 1 == Int(flagged))
        #expect(written.stderr.contains("wrote \(flagged) flagged rows"))
        let rejections = try await cli.run(["report", "rejections", summary.run.idText, "--output", report])
        #expect(rejections.status == 0)
        #expect(try !String(contentsOfFile: report, encoding: .utf8).contains("review.sample"), "the rejection report holds no flags")
        let text = try await cli.run(["report", "summary", summary.run.idText])
        #expect(text.stdout.contains("Flagged   \(flagged) accepted rows carry a review code"))
    }

    @Test func effectsCommitWithTheirBatchExactlyOnceAcrossAFailureAndAResume() async throws {
        let spec = try environment.pipeline(batchSize: 500)
        let table = try await effectsTable()
        let input = IntegrationEnvironment.path("Samples/debtors-10k.csv")
        var failing = RunOptions()
        failing.additionalStages = [ReviewStage(effectsTable: table), FailAt(sequence: 6)]
        await #expect(throws: SluiceError.self) {
            _ = try await environment.runner().run(spec, input: input, options: failing)
        }
        let committed = try await environment.committedBatches(pipeline: spec.name)
        #expect(committed < 20)
        #expect(try await environment.scalar("SELECT count(*) FROM \(table)") == committed, "effects of exactly the committed batches")
        #expect(try await environment.scalar("SELECT count(*) FROM \(table) WHERE run_batch = 6") == 0)

        var resuming = RunOptions()
        resuming.additionalStages = [ReviewStage(effectsTable: table)]
        let summary = try await environment.runner().run(spec, input: input, options: resuming)
        #expect(summary.run.status == .completed)
        #expect(try await environment.scalar("SELECT count(*) FROM \(table)") == 20)
        #expect(try await environment.scalar("SELECT count(DISTINCT run_batch) FROM \(table)") == 20, "no batch's effects written twice")
    }
}
