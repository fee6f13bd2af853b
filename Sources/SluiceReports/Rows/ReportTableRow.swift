/// A row of a report with fixed columns (the VOP and billing reports): all a report states for
/// ``CSVReportWriter`` and ``XLSXReportWriter`` to write it.
public protocol ReportTableRow {
    /// The report's columns, left to right.
    static var columns: [String] { get }
    /// The XLSX sheet the rows go to; more rows than a sheet holds continue on `<name> 2`, …
    static var sheetName: String { get }
    /// The columns an XLSX sheet holds as numbers rather than text.
    static var numberColumns: [String] { get }
    /// The column an XLSX sheet fills red when ``isFailure``.
    static var failureColumn: String { get }

    /// The physical line (CSV) or sheet row (XLSX) of the source row; XLSX errors name it.
    var line: Int64 { get }
    /// The row's values in the order of ``columns``, a missing value empty.
    var values: [String] { get }
    /// The values of ``numberColumns``, in their order; `nil` for an empty cell.
    var numbers: [Double?] { get }
    /// Whether the row stands for a failure (a rejection, a failed charge).
    var isFailure: Bool { get }
}
