extension BillingFigures {
    /// The figures as summary rows: section `billing` (`terminal`, `state`, `rows`, `attempts`,
    /// `skipped`, `approved_amount` in currency units), then `billing_by_outcome` and `billing_by_reason`.
    var summaryEntries: [RunSummaryReport.Entry] {
        func text(_ key: String, _ value: String) -> RunSummaryReport.Entry {
            RunSummaryReport.Entry(section: "billing", key: key, text: value, number: nil)
        }
        func number(_ section: String, _ key: String, _ value: Int64) -> RunSummaryReport.Entry {
            RunSummaryReport.Entry(section: section, key: key, text: String(value), number: Double(value))
        }
        var result = [
            text("terminal", terminal), text("state", state), number("billing", "rows", attempts + skipped),
            number("billing", "attempts", attempts), number("billing", "skipped", skipped),
            RunSummaryReport.Entry(
                section: "billing", key: "approved_amount", text: BillingReportRow.decimal(approvedAmountMinor),
                number: Double(approvedAmountMinor) / 100),
        ]
        result += sortedOutcomes.map { number("billing_by_outcome", $0.0, $0.1) }
        result += sortedReasons.map { number("billing_by_reason", $0.0, $0.1) }
        return result
    }
}
