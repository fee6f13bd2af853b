/// Writes a VOP report as an XLSX workbook: ``XLSXReportWriter`` with the `VOP checks` sheet,
/// `line`, `score` and `latency_ms` as numbers, and the `decision` of a rejected row filled red.
/// The `Summary` sheet holds the run summary, its VOP figures included.
public typealias XLSXVOPReportWriter = XLSXReportWriter<VOPReportRow>

extension XLSXReportWriter: VOPReportWriter where Row == VOPReportRow {
    public func finish(summary: RunSummaryReport?) throws {
        try finish(summary: summary, moreSummary: [])
    }
}
