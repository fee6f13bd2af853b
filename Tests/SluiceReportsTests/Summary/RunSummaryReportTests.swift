import Foundation
import SluiceCore
import SluiceReports
import Testing

struct RunSummaryReportTests {
    static func run(
        status: RunStatus = .completed, counters: RunCounters = RunCounters(), error: String? = nil,
        startedAt: Date = Date(timeIntervalSince1970: 1_700_000_000), finishedAt: Date? = Date(timeIntervalSince1970: 1_700_000_003.5)
    ) -> RunRecord {
        RunRecord(
            id: UUID(uuidString: "1A2B3C4D-0000-0000-0000-000000000000")!, pipeline: "debtors", objectURI: "s3://b/k.csv", etag: "e1",
            objectSize: 5000, targetTable: "sluice.debtors", batchRows: 50, status: status, counters: counters, attempts: 1, error: error,
            startedAt: startedAt, updatedAt: finishedAt ?? startedAt, finishedAt: finishedAt)
    }

    static let summary: RunSummaryReport = {
        var counters = RunCounters()
        counters.rowsRead = 100
        counters.rowsAccepted = 90
        counters.rowsRejected = 10
        counters.bytesRead = 5000
        counters.batches = 2
        counters.rejectedByReason = ["iban.checksum": 4, "amount.required": 3, "csv.ragged": 2, "blacklist.iban": 1, "dedup.in_file": 1]
        return RunSummaryReport(run: run(counters: counters), timings: ["decode": 0.5, "validate": 1.25])
    }()

    @Test func countsAreSummedByStage() {
        #expect(Self.summary.rejectionsByStage == ["validate": 4, "map": 3, "parse": 2, "screen": 1, "dedup": 1])
        #expect(Self.summary.run.durationSeconds == 3.5)
    }

    @Test func jsonHasSnakeCaseKeys() throws {
        let json = try Self.summary.json()
        #expect(json.contains(#""rejections_by_reason" : {"#))
        #expect(json.contains(#""rows_rejected" : 10"#))
        #expect(json.contains(#""started_at" : "2023-11-14T22:13:20Z""#))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["rejections_by_reason"] as? [String: Int] == ["iban.checksum": 4, "amount.required": 3, "csv.ragged": 2, "blacklist.iban": 1, "dedup.in_file": 1])
        #expect(object["rejections_by_stage"] as? [String: Int] == ["validate": 4, "map": 3, "parse": 2, "screen": 1, "dedup": 1])
    }

    /// The keys docs/reports.md documents for `--format json`, with the run's fields flat
    /// and the status as its stored name.
    @Test func jsonKeepsItsDocumentedKeysAndTypedStatus() throws {
        var counters = RunCounters()
        counters.rowsRead = 3
        counters.rowsAccepted = 2
        counters.rowsRejected = 1
        counters.rowsFlagged = 1
        counters.flaggedByReason = ["vop.close_match": 1]
        counters.rejectedByReason = ["iban.checksum": 1]
        counters.bytesRead = 120
        counters.batches = 1
        let report = RunSummaryReport(run: Self.run(status: .failedBudget, counters: counters, error: "budget"), timings: ["sink": 0.5])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(try report.json().utf8)) as? [String: Any])
        #expect(Set(object.keys) == [
            "run_id", "pipeline", "object", "status", "error", "rows_read", "rows_accepted", "rows_rejected", "rows_flagged",
            "flags_by_reason", "bytes_read", "batches", "rejections_by_reason", "rejections_by_stage", "timings", "started_at",
            "finished_at", "duration_seconds",
        ])
        #expect(report.run.status == .failedBudget)
        #expect(object["status"] as? String == "failed_budget")
        #expect(object["run_id"] as? String == "1a2b3c4d-0000-0000-0000-000000000000")
        #expect(object["object"] as? String == "s3://b/k.csv")
        #expect(object["error"] as? String == "budget")
        #expect(object["rows_flagged"] as? Int == 1)
        #expect(object["flags_by_reason"] as? [String: Int] == ["vop.close_match": 1])
        #expect(object["rejections_by_stage"] as? [String: Int] == ["validate": 1])
        #expect(object["finished_at"] as? String == "2023-11-14T22:13:23Z")
        #expect(object["duration_seconds"] as? Double == 3.5)

        // An unfinished run without an error leaves those keys out, as it always did.
        let running = RunSummaryReport(run: Self.run(status: .running, finishedAt: nil), timings: [:])
        let open = try #require(try JSONSerialization.jsonObject(with: Data(try running.json().utf8)) as? [String: Any])
        #expect(open["error"] == nil && open["finished_at"] == nil && open["duration_seconds"] == nil)
        #expect(open["status"] as? String == "running")
    }

    @Test func textListsStagesInPipelineOrderAndReasonsByCount() {
        let text = Self.summary.text()
        #expect(text.contains("Rows      read 100  accepted 90  rejected 10"))
        #expect(text.contains("(3.5 s)"))
        // The order a run applies them: screening before dedup (docs/architecture.md).
        let stages = ["  parse", "  map", "  validate", "  screen", "  dedup"].map { text.range(of: $0)!.lowerBound }
        #expect(stages == stages.sorted())
        #expect(text.range(of: "iban.checksum")!.lowerBound < text.range(of: "amount.required")!.lowerBound)
        #expect(text.contains("validate  1.25"))
    }

    @Test func csvHasOneRowPerFigure() {
        let lines = Self.summary.csv().split(separator: "\r\n")
        #expect(lines.first == "section,key,value")
        #expect(lines.contains("rows,rejected,10"))
        #expect(lines.contains("rejections_by_reason,iban.checksum,4"))
        #expect(lines.contains("rejections_by_stage,validate,4"))
        #expect(lines.contains("timings_seconds,validate,1.25"))
        #expect(lines.contains("run,duration_seconds,3.5"))
    }

    @Test func aRunningRunHasNoDuration() {
        let running = RunSummaryReport(run: Self.run(status: .running, startedAt: Date(), finishedAt: nil), timings: [:])
        #expect(running.run.durationSeconds == nil)
        #expect(running.text().contains("Finished  -"))
        #expect(running.text().contains("Rejections by reason\n  none"))
    }
}
