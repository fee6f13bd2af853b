/// Writes a rejection report row by row, in constant memory.
///
/// Call `write(_:)` for each rejected row in order, then `finish(summary:)` once; a writer
/// that is not finished leaves an incomplete file.
public protocol RejectionReportWriter {
    /// The columns the report has.
    var layout: ReportLayout { get }
    func write(_ row: RejectedRow) throws
    /// Completes the file; `summary`, when given, is added where the format has room for it.
    func finish(summary: RunSummaryReport?) throws
    /// Rows written so far.
    var rowsWritten: Int { get }
    /// What the report could not hold as it was (columns left out, cells cut), one sentence
    /// each; complete once `finish` has returned. The report says the same inside.
    var notes: [String] { get }
}

extension RejectionReportWriter {
    public var notes: [String] { [] }
}
