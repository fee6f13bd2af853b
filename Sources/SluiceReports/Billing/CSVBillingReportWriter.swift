/// Writes a billing report as CSV: ``CSVReportWriter`` with ``BillingReportRow/columns``. The
/// run summary and billing figures are not part of a CSV report (`sluice billing status` and
/// `sluice report summary` print them).
public typealias CSVBillingReportWriter = CSVReportWriter<BillingReportRow>

extension CSVReportWriter: BillingReportWriter where Row == BillingReportRow {
    public func finish(summary: RunSummaryReport?, figures: BillingFigures?) throws {
        try close()
    }
}
