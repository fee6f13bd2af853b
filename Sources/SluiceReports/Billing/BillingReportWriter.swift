/// Writes a billing report row by row, in constant memory.
///
/// Call `write(_:)` for each attempt or skip in line order, then `finish(summary:figures:)`
/// once; a writer that is not finished leaves an incomplete file.
public protocol BillingReportWriter {
    func write(_ row: BillingReportRow) throws
    /// Completes the file; `summary` and `figures`, when given, are added where the format has room for them.
    func finish(summary: RunSummaryReport?, figures: BillingFigures?) throws
    /// Rows written so far.
    var rowsWritten: Int { get }
    /// What the report could not hold as it was (cells cut), one sentence each; complete once
    /// `finish` has returned.
    var notes: [String] { get }
}

extension BillingReportWriter {
    public var notes: [String] { [] }
}
