/// Writes a VOP report as CSV: ``CSVReportWriter`` with ``VOPReportRow/columns``. The run
/// summary is not part of a CSV report.
public typealias CSVVOPReportWriter = CSVReportWriter<VOPReportRow>

extension CSVReportWriter: VOPReportWriter where Row == VOPReportRow {
    public func finish(summary: RunSummaryReport?) throws {
        try close()
    }
}
