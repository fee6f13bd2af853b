import CLibXLSXWriter
import Foundation
import SluiceCore

/// Writes a rejection report as an XLSX workbook with libxlsxwriter in constant-memory mode:
/// each row goes to a temporary file as soon as it is written, so memory does not grow with
/// the number of rows.
///
/// The `Rejections` sheet has a bold, frozen header row, an autofilter over all rows,
/// column widths from the header and the first `sampleRows` rows, and the cells a reason
/// names filled red. Reasons are joined with `; `. A run with more rows than a sheet holds
/// continues on `Rejections 2`, `Rejections 3`, … The `Summary` sheet holds the run summary.
///
/// Excel limits a sheet to 16,384 columns and a cell to 32,767 characters. The identifying
/// and reason columns come first (``ReportLayout/columns``), so a wider file loses only its
/// last source columns; longer text is cut with ``XLSXCellText/truncationMarker``. Either is
/// said in a `Notes` sheet (after the rejections) and in ``notes``; the CSV report has it all.
public final class XLSXRejectionReportWriter: RejectionReportWriter {
    public struct Options: Sendable {
        /// Rows buffered before the column widths are fixed.
        public var sampleRows = 200
        /// Data rows per sheet; Excel holds 1,048,576 rows including the header.
        public var rowsPerSheet = 1_048_575
        /// Where libxlsxwriter keeps its temporary files; the system default when `nil`.
        public var temporaryDirectory: String?
        /// Columns per sheet; Excel holds 16,384. The location and reason columns are always kept.
        public var maximumColumns = XLSXRejectionReportWriter.maximumColumns

        public init(
            sampleRows: Int = 200,
            rowsPerSheet: Int = 1_048_575,
            temporaryDirectory: String? = nil,
            maximumColumns: Int = XLSXRejectionReportWriter.maximumColumns
        ) {
            self.sampleRows = max(0, sampleRows)
            self.rowsPerSheet = max(1, min(rowsPerSheet, 1_048_575))
            self.temporaryDirectory = temporaryDirectory
            self.maximumColumns = max(1, min(maximumColumns, XLSXRejectionReportWriter.maximumColumns))
        }
    }

    public let layout: ReportLayout
    public var path: String { table.path }
    let options: Options
    private let table: XLSXTableWriter
    private let columnCount: Int
    /// Source columns that did not fit in the sheet.
    private let omittedColumns: Int
    private let ibanColumn: Int?
    private let amountColumn: Int?
    public var rowsWritten: Int { table.rowsWritten }

    public static let sheetName = "Rejections"
    public static let summarySheetName = XLSXTableWriter.summarySheetName
    public static let notesSheetName = XLSXTableWriter.notesSheetName
    /// Excel's last column is XFD, the 16,384th.
    public static let maximumColumns = Int(LXW_COL_MAX)
    private static let rowIBANIndex = ReportLayout.leadingColumns.firstIndex(of: "row_iban")
    private static let rowAmountIndex = ReportLayout.leadingColumns.firstIndex(of: "row_amount")

    /// Creates the workbook at `path`; nothing is on disk until `finish`.
    ///
    /// - Throws: `SluiceError(.invalidArgument)` naming `path` when it cannot be written.
    public init(path: String, layout: ReportLayout, options: Options = Options()) throws {
        self.layout = layout
        self.options = options
        columnCount = min(layout.columns.count, max(options.maximumColumns, layout.firstValueColumn))
        omittedColumns = layout.columns.count - columnCount
        ibanColumn = layout.ibanSourceColumn
        amountColumn = layout.amountSourceColumn
        table = try XLSXTableWriter(
            path: path, header: Array(layout.columns.prefix(columnCount)), sheetName: Self.sheetName,
            sampleRows: options.sampleRows, rowsPerSheet: options.rowsPerSheet, temporaryDirectory: options.temporaryDirectory)
    }

    public func write(_ row: RejectedRow) throws {
        try table.write(line: row.line, cells: cells(of: row))
    }

    public func finish(summary: RunSummaryReport?) throws {
        try table.finish(notes: { notes }, summary: summary)
    }

    // MARK: - Rows

    private typealias Cell = XLSXTableWriter.Cell

    private func cells(of row: RejectedRow) -> [Cell] {
        var result: [Cell] = []
        result.reserveCapacity(columnCount)
        if layout.format == .xlsx { result.append(Cell(text: layout.sheet ?? "")) }
        result.append(Cell(text: String(row.line), number: Double(row.line)))
        let leading = layout.leadingValues(of: row, ibanColumn: ibanColumn, amountColumn: amountColumn)
        for (index, text) in leading.enumerated() {
            // The copies of the IBAN and the amount are red when their source cell is.
            let source = index == Self.rowIBANIndex ? ibanColumn : index == Self.rowAmountIndex ? amountColumn : nil
            result.append(Cell(text: text, failing: source.map(row.failingColumns.contains) ?? false))
        }
        for index in layout.sourceColumns.indices.prefix(columnCount - result.count) {
            result.append(Cell(text: index < row.values.count ? row.values[index] : "", failing: row.failingColumns.contains(index)))
        }
        return result
    }

    // MARK: - Notes

    /// What the sheet could not hold as it was, one sentence each (see the type's summary).
    public var notes: [String] {
        var notes: [String] = []
        if omittedColumns > 0 {
            let sourcePosition = columnCount - layout.firstValueColumn
            notes.append(
                "\(Self.grouped(omittedColumns)) source columns (from \"\(layout.sourceColumns[sourcePosition])\", the file's column "
                    + "\(Self.grouped(sourcePosition + 1)), onwards) were left out: Excel sheets hold at most "
                    + "\(Self.grouped(Self.maximumColumns)) columns; the CSV report has them all"
            )
        }
        if let cut = table.truncationNote { notes.append(cut) }
        return notes
    }

    /// `16384` → `16,384`, whatever the locale.
    static func grouped(_ number: Int) -> String {
        XLSXTableWriter.grouped(number)
    }
}
