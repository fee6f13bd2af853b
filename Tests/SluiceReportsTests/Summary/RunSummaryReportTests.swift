import Foundation
import SluiceReports
import Testing

struct RunSummaryReportTests {
    static let summary = RunSummaryReport(
        runID: "1a2b3c4d-0000-0000-0000-000000000000", pipeline: "debtors", object: "s3://b/k.csv", status: "completed",
        rowsRead: 100, rowsAccepted: 90, rowsRejected: 10, bytesRead: 5000, batches: 2,
        rejectionsByReason: ["iban.checksum": 4, "amount.required": 3, "csv.ragged": 2, "blacklist.iban": 1, "dedup.in_file": 1],
        timings: ["decode": 0.5, "validate": 1.25],
        startedAt: Date(timeIntervalSince1970: 1_700_000_000), finishedAt: Date(timeIntervalSince1970: 1_700_000_003.5))

    @Test func countsAreSummedByStage() {
        #expect(Self.summary.rejectionsByStage == ["validate": 4, "map": 3, "parse": 2, "screen": 1, "dedup": 1])
        #expect(Self.summary.durationSeconds == 3.5)
    }

    @Test func jsonHasSnakeCaseKeysAndRoundTrips() throws {
        let json = try Self.summary.json()
        #expect(json.contains(#""rejections_by_reason" : {"#))
        #expect(json.contains(#""rows_rejected" : 10"#))
        #expect(json.contains(#""started_at" : "2023-11-14T22:13:20Z""#))
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let decoded = try decoder.decode(RunSummaryReport.self, from: Data(json.utf8))
        #expect(decoded.rejectionsByReason == Self.summary.rejectionsByReason)
        #expect(decoded.rejectionsByStage == Self.summary.rejectionsByStage)
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
        let running = RunSummaryReport(runID: "x", pipeline: "p", object: "o", status: "running", rowsRead: 0, rowsAccepted: 0,
                                       rowsRejected: 0, bytesRead: 0, batches: 0, rejectionsByReason: [:], timings: [:],
                                       startedAt: Date(), finishedAt: nil)
        #expect(running.durationSeconds == nil)
        #expect(running.text().contains("Finished  -"))
        #expect(running.text().contains("Rejections by reason\n  none"))
    }
}
