/// Writes a billing report as an XLSX workbook: ``XLSXReportWriter`` with the `Billing` sheet,
/// `line`, `amount` and `sale_requests` as numbers (so amounts add up in a spreadsheet), and the
/// `outcome` of a declined, errored or charged-back attempt filled red. The `Summary` sheet
/// holds the run summary followed by the billing figures.
public typealias XLSXBillingReportWriter = XLSXReportWriter<BillingReportRow>

extension XLSXReportWriter: BillingReportWriter where Row == BillingReportRow {
    public func finish(summary: RunSummaryReport?, figures: BillingFigures?) throws {
        try finish(summary: summary, moreSummary: figures?.summaryEntries ?? [])
    }
}
