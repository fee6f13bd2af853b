import Foundation

extension VOPFigures {
    /// The figures as summary rows: section `vop` (`checks`, `provider_calls`, `latency_mean_ms`,
    /// `latency_p95_ms`), then `vop_by_outcome`, `vop_by_answered_by` and `vop_by_decision`.
    var summaryEntries: [RunSummaryReport.Entry] {
        func number(_ section: String, _ key: String, _ value: Double) -> RunSummaryReport.Entry {
            RunSummaryReport.Entry(section: section, key: key, text: RunSummaryReport.format(value), number: value)
        }
        var result = [number("vop", "checks", Double(checks)), number("vop", "provider_calls", Double(providerCalls))]
        if let meanLatencyMs { result.append(number("vop", "latency_mean_ms", meanLatencyMs)) }
        if let p95LatencyMs { result.append(number("vop", "latency_p95_ms", p95LatencyMs)) }
        result += Self.ordered(byOutcome, Self.outcomeOrder).map { number("vop_by_outcome", $0.0, Double($0.1)) }
        result += Self.ordered(byAnsweredBy, Self.answeredByOrder).map { number("vop_by_answered_by", $0.0, Double($0.1)) }
        result += Self.ordered(byDecision, Self.decisionOrder).map { number("vop_by_decision", $0.0, Double($0.1)) }
        return result
    }

    /// The terminal block of `sluice report summary`, its title first.
    var textLines: [String] {
        func list(_ counts: [String: Int64], _ order: [String]) -> String {
            Self.ordered(counts, order).map { "\($0.0) \($0.1)" }.joined(separator: ", ")
        }
        var rows = [("checks", String(checks)), ("provider calls", String(providerCalls))]
        if let meanLatencyMs, let p95LatencyMs {
            rows.append(("latency", "mean \(RunSummaryReport.format(meanLatencyMs)) ms, p95 \(RunSummaryReport.format(p95LatencyMs)) ms"))
        }
        rows += [
            ("by outcome", list(byOutcome, Self.outcomeOrder)), ("answered by", list(byAnsweredBy, Self.answeredByOrder)),
            ("decisions", list(byDecision, Self.decisionOrder)),
        ]
        let width = rows.map(\.0.count).max() ?? 0
        return ["Payee verification (VOP)"] + rows.map { "  " + $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }
    }
}
