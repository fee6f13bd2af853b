import Foundation
import SluiceCore
import SluiceReports
import Testing

struct VOPFiguresTests {
    static let figures = VOPFigures(
        checks: 4, byOutcome: ["match": 1, "close_match": 1, "no_match": 1, "not_sampled": 1],
        byAnsweredBy: ["provider": 2, "cache": 1, "none": 1], byDecision: ["accepted": 2, "flagged": 1, "rejected": 1],
        providerCalls: 2, meanLatencyMs: 30.25, p95LatencyMs: 48.5)

    static func summary(vop: VOPFigures?) -> RunSummaryReport {
        RunSummaryReport(run: RunSummaryReportTests.run(), timings: ["decode": 0.5], vop: vop)
    }

    @Test func theTextSummaryHasAVOPBlockOnlyWithChecks() {
        let text = Self.summary(vop: Self.figures).text()
        #expect(text.contains("""

            Payee verification (VOP)
              checks          4
              provider calls  2
              latency         mean 30.25 ms, p95 48.5 ms
              by outcome      match 1, close_match 1, no_match 1, not_sampled 1
              answered by     provider 2, cache 1, none 1
              decisions       accepted 2, rejected 1, flagged 1

            """), "\(text)")
        #expect(!Self.summary(vop: nil).text().contains("VOP"))
    }

    @Test func theJSONSummaryHasAVOPObjectOnlyWithChecks() throws {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(Self.summary(vop: Self.figures).json().utf8)) as? [String: Any])
        let vop = try #require(object["vop"] as? [String: Any])
        #expect(vop["checks"] as? Int == 4 && vop["provider_calls"] as? Int == 2)
        #expect(vop["latency_mean_ms"] as? Double == 30.25 && vop["latency_p95_ms"] as? Double == 48.5)
        #expect(vop["by_outcome"] as? [String: Int] == ["match": 1, "close_match": 1, "no_match": 1, "not_sampled": 1])
        #expect(vop["by_answered_by"] as? [String: Int] == ["provider": 2, "cache": 1, "none": 1])
        #expect(vop["by_decision"] as? [String: Int] == ["accepted": 2, "flagged": 1, "rejected": 1])
        let without = try #require(try JSONSerialization.jsonObject(with: Data(Self.summary(vop: nil).json().utf8)) as? [String: Any])
        #expect(without["vop"] == nil)
    }

    @Test func withoutProviderCallsThereIsNoLatency() throws {
        var figures = Self.figures
        figures.providerCalls = 0
        figures.meanLatencyMs = nil
        figures.p95LatencyMs = nil
        let json = try Self.summary(vop: figures).json()
        #expect(json.contains(#""provider_calls" : 0"#) && !json.contains("latency"))
        #expect(!Self.summary(vop: figures).text().contains("latency"))
    }

    @Test func theCSVSummaryHasVOPSections() {
        let csv = Self.summary(vop: Self.figures).csv()
        #expect(csv.contains("vop,checks,4\r\nvop,provider_calls,2\r\nvop,latency_mean_ms,30.25\r\nvop,latency_p95_ms,48.5\r\n"))
        #expect(csv.contains("vop_by_outcome,match,1\r\nvop_by_outcome,close_match,1\r\nvop_by_outcome,no_match,1\r\nvop_by_outcome,not_sampled,1\r\n"))
        #expect(csv.contains("vop_by_answered_by,none,1\r\n") && csv.contains("vop_by_decision,rejected,1\r\n"))
        #expect(!Self.summary(vop: nil).csv().contains("vop"))
    }
}
