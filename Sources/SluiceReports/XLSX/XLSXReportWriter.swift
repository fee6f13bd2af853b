/// Writes a report of ``ReportTableRow``s (VOP, billing) as an XLSX workbook with the rejection
/// report's machinery (`XLSXTableWriter`: libxlsxwriter in constant-memory mode).
///
/// The `Row.sheetName` sheet has a bold, frozen header row, an autofilter, fitted column
/// widths, `Row.numberColumns` as numbers and the `Row.failureColumn` of a failure filled red.
/// More rows than a sheet holds continue on `<sheet> 2`, … The `Summary` sheet holds the run
/// summary and the report's own figures; a `Notes` sheet says which cells were cut to Excel's
/// 32,767 characters, if any.
public final class XLSXReportWriter<Row: ReportTableRow> {
    public typealias Options = XLSXRejectionReportWriter.Options

    public static var sheetName: String { Row.sheetName }
    private let table: XLSXTableWriter
    public var path: String { table.path }
    public var rowsWritten: Int { table.rowsWritten }
    // Looked up once here: a generic type has no static stored properties.
    private let numberIndices = Row.numberColumns.map { Row.columns.firstIndex(of: $0)! }
    private let failureIndex = Row.columns.firstIndex(of: Row.failureColumn)!

    /// Creates the workbook at `path`; nothing is on disk until `finish`.
    ///
    /// - Throws: `SluiceError(.invalidArgument)` naming `path` when it cannot be written.
    public init(path: String, options: Options = Options()) throws {
        table = try XLSXTableWriter(
            path: path, header: Row.columns, sheetName: Row.sheetName, sampleRows: options.sampleRows,
            rowsPerSheet: options.rowsPerSheet, temporaryDirectory: options.temporaryDirectory)
    }

    public func write(_ row: Row) throws {
        var cells = row.values.map { XLSXTableWriter.Cell(text: $0) }
        for (index, number) in zip(numberIndices, row.numbers) { cells[index].number = number }
        cells[failureIndex].failing = row.isFailure
        try table.write(line: row.line, cells: cells)
    }

    /// Completes the workbook; each report's `finish` ends here. The `Summary` sheet, when
    /// `summary` is given, holds its entries followed by `moreSummary` (the report's own figures).
    func finish(summary: RunSummaryReport?, moreSummary: [RunSummaryReport.Entry]) throws {
        try table.finish(notes: { notes }, summary: summary, moreSummary: moreSummary)
    }

    public var notes: [String] {
        table.truncationNote.map { [$0] } ?? []
    }
}
