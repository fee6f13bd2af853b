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
    public let path: String
    let options: Options
    private var workbook: UnsafeMutablePointer<lxw_workbook>?
    private var temporaryDirectory: UnsafeMutablePointer<CChar>?
    private let headerFormat: UnsafeMutablePointer<lxw_format>?
    private let failingFormat: UnsafeMutablePointer<lxw_format>?
    private let columnCount: Int
    /// Source columns that did not fit in the sheet.
    private let omittedColumns: Int
    private let ibanColumn: Int?
    private let amountColumn: Int?
    /// The header, cut to `columnCount`.
    private let header: [String]
    private var truncation = Truncation()
    private var sheet: UnsafeMutablePointer<lxw_worksheet>?
    private var sheetNumber = 0
    private var sheetRows = 0
    private var widths: XLSXColumnWidths
    private var pending: [RejectedRow] = []
    private var widthsFixed = false
    public private(set) var rowsWritten = 0

    public static let sheetName = "Rejections"
    public static let summarySheetName = "Summary"
    public static let notesSheetName = "Notes"
    /// Excel's last column is XFD, the 16,384th.
    public static let maximumColumns = Int(LXW_COL_MAX)
    private static let rowIBANIndex = ReportLayout.leadingColumns.firstIndex(of: "row_iban")
    private static let rowAmountIndex = ReportLayout.leadingColumns.firstIndex(of: "row_amount")

    /// Creates the workbook at `path`; nothing is on disk until `finish`.
    ///
    /// - Throws: `SluiceError(.invalidArgument)` naming `path` when it cannot be written.
    public init(path: String, layout: ReportLayout, options: Options = Options()) throws {
        self.layout = layout
        self.path = path
        self.options = options
        // libxlsxwriter only opens the file when the workbook closes; find a bad path now,
        // before a long run of rows.
        _ = try BufferedFileOutput(path: path, capacity: 0)
        columnCount = min(layout.columns.count, max(options.maximumColumns, layout.firstValueColumn))
        omittedColumns = layout.columns.count - columnCount
        header = Array(layout.columns.prefix(columnCount))
        ibanColumn = layout.ibanSourceColumn
        amountColumn = layout.amountSourceColumn
        widths = XLSXColumnWidths(header: header)

        var workbookOptions = lxw_workbook_options()
        workbookOptions.constant_memory = UInt8(LXW_TRUE.rawValue)
        workbookOptions.use_zip64 = UInt8(LXW_TRUE.rawValue)
        if let directory = options.temporaryDirectory {
            temporaryDirectory = strdup(directory)
            workbookOptions.tmpdir = temporaryDirectory
        }
        guard let workbook = workbook_new_opt(path, &workbookOptions) else {
            free(temporaryDirectory)
            throw SluiceError(.invalidArgument, "cannot create the XLSX report \(path)")
        }
        self.workbook = workbook
        headerFormat = workbook_add_format(workbook)
        format_set_bold(headerFormat)
        format_set_bg_color(headerFormat, 0xD9E1F2)
        format_set_pattern(headerFormat, UInt8(LXW_PATTERN_SOLID.rawValue))
        format_set_bottom(headerFormat, UInt8(LXW_BORDER_THIN.rawValue))
        // Excel's "Bad" cell style: light red fill, dark red text.
        failingFormat = workbook_add_format(workbook)
        format_set_bg_color(failingFormat, 0xFFC7CE)
        format_set_font_color(failingFormat, 0x9C0006)
        format_set_pattern(failingFormat, UInt8(LXW_PATTERN_SOLID.rawValue))
        if options.sampleRows == 0 { try fixWidths() }
    }

    deinit {
        // A writer dropped without `finish` still frees the C workbook (and its temp files).
        if let workbook { _ = workbook_close(workbook) }
        free(temporaryDirectory)
    }

    public func write(_ row: RejectedRow) throws {
        if !widthsFixed {
            widths.measure(cells(of: row).map(\.text))
            pending.append(row)
            if pending.count >= options.sampleRows { try fixWidths() }
            return
        }
        try put(row)
    }

    public func finish(summary: RunSummaryReport?) throws {
        guard let workbook else { throw SluiceError(.internalError, "XLSX report \(path) is already finished") }
        if !widthsFixed { try fixWidths() }
        if sheet == nil { try startSheet() }
        closeSheet()
        let notes = self.notes
        if !notes.isEmpty { try writeNotes(notes, to: workbook) }
        if let summary { try writeSummary(summary, to: workbook) }
        self.workbook = nil
        let result = workbook_close(workbook)
        free(temporaryDirectory)
        temporaryDirectory = nil
        guard result == LXW_NO_ERROR else {
            throw SluiceError(.invalidArgument, "cannot write the XLSX report \(path): \(String(cString: lxw_strerror(result)))")
        }
    }

    // MARK: - Rows

    private struct Cell {
        var text: String
        var number: Double?
        var failing = false
    }

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

    private func fixWidths() throws {
        widthsFixed = true
        try startSheet()
        let rows = pending
        pending = []
        for row in rows { try put(row) }
    }

    private func put(_ row: RejectedRow) throws {
        if sheet == nil || sheetRows >= options.rowsPerSheet {
            closeSheet()
            try startSheet()
        }
        guard let sheet else { return }
        sheetRows += 1
        let rowIndex = lxw_row_t(sheetRows)
        for (column, cell) in cells(of: row).prefix(columnCount).enumerated() {
            let result: lxw_error
            if let number = cell.number {
                result = worksheet_write_number(sheet, rowIndex, lxw_col_t(column), number, nil)
            } else if cell.text.isEmpty && !cell.failing {
                continue
            } else {
                let (text, truncated) = XLSXCellText.sanitised(cell.text)
                if truncated { truncation.record(line: row.line, column: header[column]) }
                result = worksheet_write_string(sheet, rowIndex, lxw_col_t(column), text, cell.failing ? failingFormat : nil)
            }
            guard result == LXW_NO_ERROR else {
                throw SluiceError(.internalError, "cannot write line \(row.line) to the XLSX report: \(String(cString: lxw_strerror(result)))")
            }
        }
        rowsWritten += 1
    }

    private func startSheet() throws {
        guard let workbook else { throw SluiceError(.internalError, "XLSX report \(path) is already finished") }
        sheetNumber += 1
        let name = sheetNumber == 1 ? Self.sheetName : "\(Self.sheetName) \(sheetNumber)"
        guard let sheet = workbook_add_worksheet(workbook, name) else {
            throw SluiceError(.internalError, "cannot add sheet \(name) to the XLSX report")
        }
        self.sheet = sheet
        sheetRows = 0
        for (column, width) in widths.widths.prefix(columnCount).enumerated() {
            worksheet_set_column(sheet, lxw_col_t(column), lxw_col_t(column), width, nil)
        }
        worksheet_freeze_panes(sheet, 1, 0)
        for (column, title) in header.enumerated() {
            worksheet_write_string(sheet, 0, lxw_col_t(column), XLSXCellText.sanitise(title), headerFormat)
        }
    }

    /// Puts the autofilter over the sheet's rows, now that their number is known.
    private func closeSheet() {
        guard let sheet, columnCount > 0 else { return }
        worksheet_autofilter(sheet, 0, 0, lxw_row_t(sheetRows), lxw_col_t(columnCount - 1))
        self.sheet = nil
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
        if truncation.cells > 0 {
            let lines = truncation.lines.map(String.init).joined(separator: ", ") + (truncation.moreLines ? ", …" : "")
            notes.append(
                "\(Self.grouped(truncation.cells)) \(truncation.cells == 1 ? "cell was" : "cells were") longer than Excel's "
                    + "\(Self.grouped(XLSXCellText.maximumLength)) characters per cell and cut, ending in "
                    + "\"\(XLSXCellText.truncationMarker)\" (\(truncation.columns.joined(separator: ", ")); lines \(lines)): "
                    + "the CSV report has them whole"
            )
        }
        return notes
    }

    /// Cells cut to Excel's cell limit: how many, in which columns, on which lines (the first few).
    private struct Truncation {
        static let linesShown = 10
        var cells = 0
        var columns: [String] = []
        var lines: [Int64] = []
        /// Whether cells were cut on more lines than `lines` shows.
        var moreLines = false

        mutating func record(line: Int64, column: String) {
            cells += 1
            if !columns.contains(column) { columns.append(column) }
            guard lines.last != line else { return }
            if lines.count < Self.linesShown { lines.append(line) } else { moreLines = true }
        }
    }

    private func writeNotes(_ notes: [String], to workbook: UnsafeMutablePointer<lxw_workbook>) throws {
        guard let sheet = workbook_add_worksheet(workbook, Self.notesSheetName) else {
            throw SluiceError(.internalError, "cannot add the Notes sheet to the XLSX report")
        }
        worksheet_set_column(sheet, 0, 0, 120, nil)
        worksheet_write_string(sheet, 0, 0, "note", headerFormat)
        for (index, note) in notes.enumerated() {
            worksheet_write_string(sheet, lxw_row_t(index + 1), 0, XLSXCellText.sanitise(note), nil)
        }
    }

    /// `16384` → `16,384`, whatever the locale.
    static func grouped(_ number: Int) -> String {
        var digits = String(number.magnitude)
        var index = digits.endIndex
        while digits.distance(from: digits.startIndex, to: index) > 3 {
            index = digits.index(index, offsetBy: -3)
            digits.insert(",", at: index)
        }
        return number < 0 ? "-" + digits : digits
    }

    private func writeSummary(_ summary: RunSummaryReport, to workbook: UnsafeMutablePointer<lxw_workbook>) throws {
        guard let sheet = workbook_add_worksheet(workbook, Self.summarySheetName) else {
            throw SluiceError(.internalError, "cannot add the Summary sheet to the XLSX report")
        }
        worksheet_set_column(sheet, 0, 0, 24, nil)
        worksheet_set_column(sheet, 1, 1, 32, nil)
        worksheet_set_column(sheet, 2, 2, 40, nil)
        worksheet_freeze_panes(sheet, 1, 0)
        for (column, title) in ["section", "key", "value"].enumerated() {
            worksheet_write_string(sheet, 0, lxw_col_t(column), title, headerFormat)
        }
        for (index, entry) in summary.entries.enumerated() {
            let row = lxw_row_t(index + 1)
            worksheet_write_string(sheet, row, 0, XLSXCellText.sanitise(entry.section), nil)
            worksheet_write_string(sheet, row, 1, XLSXCellText.sanitise(entry.key), nil)
            if let number = entry.number {
                worksheet_write_number(sheet, row, 2, number, nil)
            } else {
                worksheet_write_string(sheet, row, 2, XLSXCellText.sanitise(entry.text), nil)
            }
        }
    }
}
