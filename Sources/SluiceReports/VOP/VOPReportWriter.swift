/// Writes a VOP report row by row, in constant memory.
///
/// Call `write(_:)` for each check in line order, then `finish(summary:)` once; a writer that
/// is not finished leaves an incomplete file.
public protocol VOPReportWriter {
    func write(_ row: VOPReportRow) throws
    /// Completes the file; `summary`, when given, is added where the format has room for it.
    func finish(summary: RunSummaryReport?) throws
    /// Rows written so far.
    var rowsWritten: Int { get }
    /// What the report could not hold as it was (cells cut), one sentence each; complete once
    /// `finish` has returned.
    var notes: [String] { get }
}

extension VOPReportWriter {
    public var notes: [String] { [] }
}
