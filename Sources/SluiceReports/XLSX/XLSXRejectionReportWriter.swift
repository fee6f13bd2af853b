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
public final class XLSXRejectionReportWriter: RejectionReportWriter {
    public struct Options: Sendable {
        /// Rows buffered before the column widths are fixed.
        public var sampleRows = 200
        /// Data rows per sheet; Excel holds 1,048,576 rows including the header.
        public var rowsPerSheet = 1_048_575
        /// Where libxlsxwriter keeps its temporary files; the system default when `nil`.
        public var temporaryDirectory: String?

        public init(sampleRows: Int = 200, rowsPerSheet: Int = 1_048_575, temporaryDirectory: String? = nil) {
            self.sampleRows = max(0, sampleRows)
            self.rowsPerSheet = max(1, min(rowsPerSheet, 1_048_575))
            self.temporaryDirectory = temporaryDirectory
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
    private var sheet: UnsafeMutablePointer<lxw_worksheet>?
    private var sheetNumber = 0
    private var sheetRows = 0
    private var widths: XLSXColumnWidths
    private var pending: [RejectedRow] = []
    private var widthsFixed = false
    public private(set) var rowsWritten = 0

    public static let sheetName = "Rejections"
    public static let summarySheetName = "Summary"

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
        columnCount = min(layout.columns.count, Int(LXW_COL_MAX))
        widths = XLSXColumnWidths(header: layout.columns)

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
        result.reserveCapacity(layout.columns.count)
        if layout.format == .xlsx { result.append(Cell(text: layout.sheet ?? "")) }
        result.append(Cell(text: String(row.line), number: Double(row.line)))
        for index in layout.sourceColumns.indices {
            result.append(Cell(text: index < row.values.count ? row.values[index] : "", failing: row.failingColumns.contains(index)))
        }
        result.append(Cell(text: row.reasonCodes))
        result.append(Cell(text: row.messages))
        result.append(Cell(text: row.raw))
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
                result = worksheet_write_string(sheet, rowIndex, lxw_col_t(column), XLSXCellText.sanitise(cell.text), cell.failing ? failingFormat : nil)
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
        for (column, title) in layout.columns.prefix(columnCount).enumerated() {
            worksheet_write_string(sheet, 0, lxw_col_t(column), XLSXCellText.sanitise(title), headerFormat)
        }
    }

    /// Puts the autofilter over the sheet's rows, now that their number is known.
    private func closeSheet() {
        guard let sheet, columnCount > 0 else { return }
        worksheet_autofilter(sheet, 0, 0, lxw_row_t(sheetRows), lxw_col_t(columnCount - 1))
        self.sheet = nil
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
