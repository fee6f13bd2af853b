import Foundation
import SluiceCore
import SluicePipeline
import Testing

/// The run summary as `sluice run` prints it: the run (identity, status, totals) and what this
/// attempt did.
struct RunSummaryTests {
    static func run(status: RunStatus = .completed, counters: RunCounters = RunCounters(), error: String? = nil) -> RunRecord {
        RunRecord(
            id: UUID(uuidString: "64D52F1C-0000-4000-8000-000000000001")!, pipeline: "debtors", objectURI: "s3://b/k.csv", etag: "e",
            objectSize: 1_000_000, targetTable: "sluice.debtors", batchRows: 16_384, status: status, counters: counters, attempts: 1,
            error: error, startedAt: Date(timeIntervalSince1970: 1_700_000_000), updatedAt: Date(timeIntervalSince1970: 1_700_000_002))
    }

    static func json(_ summary: RunSummary) throws -> [String: Any] {
        // As `sluice run --json` encodes it.
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(summary)
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func reasonsStandUnderTheirOutcomeAndStagesInPipelineOrder() {
        var totals = RunCounters()
        totals.rowsRead = 1_234_567
        totals.rowsAccepted = 1_234_000
        totals.rowsRejected = 567
        totals.rejectedByReason = ["iban.checksum": 500, "amount.invalid": 67]
        totals.rowsFlagged = 10
        totals.flaggedByReason = ["vop.close_match": 10]
        totals.rowsSkipped = 2
        let summary = RunSummary(
            run: Self.run(counters: totals), thisAttempt: totals, resumed: false, detected: ["gzip"], seconds: 2,
            stageSeconds: ["parse": 0.5, "stage.dedup": 0.1, "stage.validate": 0.3])
        let lines = summary.text.split(separator: "\n").map(String.init)
        #expect(lines.first == "Run 64d52f1c-0000-4000-8000-000000000001 completed")
        #expect(lines.contains("  pipeline   debtors → sluice.debtors"))
        let rejected = lines.firstIndex { $0.hasPrefix("  rejected") }!
        #expect(lines[rejected + 1].hasPrefix("    iban.checksum") && lines[rejected + 1].hasSuffix("500"))
        #expect(lines[rejected + 2].hasPrefix("    amount.invalid"))
        #expect(lines[rejected + 3].hasPrefix("  flagged") && lines[rejected + 4].hasPrefix("    vop.close_match"))
        #expect(lines.contains("  rows read     1,234,567"))
        #expect(lines.contains("  detected   gzip"))
        #expect(lines.contains("  time       2.00 s, 617,283 rows/s"))
        #expect(lines.contains("  stages     validate 0.30s, dedup 0.10s"))
    }

    /// The keys docs/cli.md documents for `sluice run --json`: the run's fields flat, totals over
    /// every attempt, this attempt's counts beside them, and the status as its stored name.
    @Test func jsonKeepsItsDocumentedKeysAndTypedStatus() throws {
        var totals = RunCounters()
        totals.rowsRead = 300
        totals.rowsAccepted = 290
        totals.rowsRejected = 10
        totals.rejectedByReason = ["iban.required": 10]
        var attempt = RunCounters()
        attempt.rowsRead = 100
        let summary = RunSummary(
            run: Self.run(status: .interrupted, counters: totals, error: "interrupted by a signal"), thisAttempt: attempt, resumed: true,
            resumedFromOffset: 4096, seconds: 0.5, stageSeconds: ["parse": 0.125])
        let object = try Self.json(summary)
        #expect(Set(object.keys) == [
            "run_id", "pipeline", "object", "etag", "status", "resumed", "resumed_from_offset", "totals", "this_attempt", "detected",
            "seconds", "rows_per_second", "stage_seconds", "target_table", "error", "mode",
        ])
        #expect(object["mode"] as? String == "load")
        #expect(summary.run.status == .interrupted)
        #expect(object["status"] as? String == "interrupted")
        #expect(object["run_id"] as? String == "64d52f1c-0000-4000-8000-000000000001")
        #expect(object["object"] as? String == "s3://b/k.csv")
        #expect(object["etag"] as? String == "e")
        #expect(object["target_table"] as? String == "sluice.debtors")
        #expect(object["error"] as? String == "interrupted by a signal")
        #expect(object["resumed"] as? Bool == true)
        #expect(object["resumed_from_offset"] as? Int == 4096)
        #expect(object["rows_per_second"] as? Double == 200)
        #expect(object["stage_seconds"] as? [String: Double] == ["parse": 0.125])
        let totalsObject = try #require(object["totals"] as? [String: Any])
        #expect(Set(totalsObject.keys) == [
            "rows_read", "rows_accepted", "rows_rejected", "rows_skipped", "rows_flagged", "flagged_by_reason", "bytes_read", "batches",
            "rejected_by_reason",
        ])
        #expect(totalsObject["rows_read"] as? Int == 300)
        #expect(totalsObject["rejected_by_reason"] as? [String: Int] == ["iban.required": 10])
        #expect((object["this_attempt"] as? [String: Any])?["rows_read"] as? Int == 100)
    }

    /// As before the run model: a first attempt without an error has no `resumed_from_offset`
    /// and no `error` key, and `rows_per_second` is 0 for no time.
    @Test func jsonLeavesOutWhatHasNoValue() throws {
        let summary = RunSummary(run: Self.run(), thisAttempt: RunCounters(), resumed: false, seconds: 0)
        let object = try Self.json(summary)
        #expect(object["resumed_from_offset"] == nil)
        #expect(object["error"] == nil)
        #expect(object["detected"] as? [String] == [])
        #expect(object["rows_per_second"] as? Double == 0)
        #expect(object["status"] as? String == "completed")
    }
}
