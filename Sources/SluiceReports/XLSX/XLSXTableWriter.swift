import CLibXLSXWriter
import Foundation
import SluiceCore

/// One table of a report written to an XLSX workbook row by row with libxlsxwriter in
/// constant-memory mode: each row goes to a temporary file as soon as it is written, so memory
/// does not grow with the number of rows. The rejection, VOP and billing reports are all
/// written with it.
///
/// The table's sheet has a bold, frozen header row, an autofilter over all rows, column widths
/// from the header and the first `sampleRows` rows, and the cells marked `failing` filled red
/// (Excel's "Bad" style). A table with more rows than a sheet holds continues on `<sheet> 2`,
/// `<sheet> 3`, … Cells longer than Excel allows are cut with ``XLSXCellText/truncationMarker``
/// and ``truncationNote`` says so; `finish` adds a `Notes` sheet when there is anything to
/// say, and a `Summary` sheet with the run summary when given one.
final class XLSXTableWriter {
    struct Cell {
        var text: String
        var number: Double?
        var failing = false

        init(text: String, number: Double? = nil, failing: Bool = false) {
            self.text = text
            self.number = number
            self.failing = failing
        }
    }

    let path: String
    /// The header row; rows are cut to its width.
    let header: [String]
    let sheetName: String
    private let sampleRows: Int
    private let rowsPerSheet: Int
    private var workbook: UnsafeMutablePointer<lxw_workbook>?
    private var temporaryDirectory: UnsafeMutablePointer<CChar>?
    private let headerFormat: UnsafeMutablePointer<lxw_format>?
    private let failingFormat: UnsafeMutablePointer<lxw_format>?
    private var truncation = Truncation()
    private var sheet: UnsafeMutablePointer<lxw_worksheet>?
    private var sheetNumber = 0
    private var sheetRows = 0
    private var widths: XLSXColumnWidths
    private var pending: [(line: Int64, cells: [Cell])] = []
    private var widthsFixed = false
    private(set) var rowsWritten = 0

    static let summarySheetName = "Summary"
    static let notesSheetName = "Notes"

    /// Creates the workbook at `path`; nothing is on disk until `finish`.
    ///
    /// - Throws: `SluiceError(.invalidArgument)` naming `path` when it cannot be written.
    init(path: String, header: [String], sheetName: String, sampleRows: Int, rowsPerSheet: Int, temporaryDirectory directory: String?) throws {
        self.path = path
        self.header = header
        self.sheetName = sheetName
        self.sampleRows = sampleRows
        self.rowsPerSheet = rowsPerSheet
        // libxlsxwriter only opens the file when the workbook closes; find a bad path now,
        // before a long run of rows.
        _ = try BufferedFileOutput(path: path, capacity: 0)
        widths = XLSXColumnWidths(header: header)

        var workbookOptions = lxw_workbook_options()
        workbookOptions.constant_memory = UInt8(LXW_TRUE.rawValue)
        workbookOptions.use_zip64 = UInt8(LXW_TRUE.rawValue)
        if let directory {
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
        if sampleRows == 0 { try fixWidths() }
    }

    deinit {
        // A writer dropped without `finish` still frees the C workbook (and its temp files).
        if let workbook { _ = workbook_close(workbook) }
        free(temporaryDirectory)
    }

    /// Adds a row; `line` names it in errors and in the truncation note.
    func write(line: Int64, cells: [Cell]) throws {
        if !widthsFixed {
            widths.measure(cells.map(\.text))
            pending.append((line, cells))
            if pending.count >= sampleRows { try fixWidths() }
            return
        }
        try put(line: line, cells: cells)
    }

    /// Completes the workbook: the last sheet's filter, a `Notes` sheet with `notes()` (asked
    /// once every row is in the sheet, so it can say what was cut) when it has any, and the
    /// `Summary` sheet when `summary` is given, its entries followed by `moreSummary` (a
    /// report's own figures, such as billing's).
    func finish(notes: () -> [String], summary: RunSummaryReport?, moreSummary: [RunSummaryReport.Entry] = []) throws {
        guard let workbook else { throw SluiceError(.internalError, "XLSX report \(path) is already finished") }
        if !widthsFixed { try fixWidths() }
        if sheet == nil { try startSheet() }
        closeSheet()
        let notes = notes()
        if !notes.isEmpty { try writeNotes(notes, to: workbook) }
        if let summary { try writeSummary(summary.entries + moreSummary, to: workbook) }
        self.workbook = nil
        let result = workbook_close(workbook)
        free(temporaryDirectory)
        temporaryDirectory = nil
        guard result == LXW_NO_ERROR else {
            throw SluiceError(.invalidArgument, "cannot write the XLSX report \(path): \(String(cString: lxw_strerror(result)))")
        }
    }

    // MARK: - Rows

    private func fixWidths() throws {
        widthsFixed = true
        try startSheet()
        let rows = pending
        pending = []
        for row in rows { try put(line: row.line, cells: row.cells) }
    }

    private func put(line: Int64, cells: [Cell]) throws {
        if sheet == nil || sheetRows >= rowsPerSheet {
            closeSheet()
            try startSheet()
        }
        guard let sheet else { return }
        sheetRows += 1
        let rowIndex = lxw_row_t(sheetRows)
        for (column, cell) in cells.prefix(header.count).enumerated() {
            let result: lxw_error
            if let number = cell.number {
                result = worksheet_write_number(sheet, rowIndex, lxw_col_t(column), number, nil)
            } else if cell.text.isEmpty && !cell.failing {
                continue
            } else {
                let (text, truncated) = XLSXCellText.sanitised(cell.text)
                if truncated { truncation.record(line: line, column: header[column]) }
                result = worksheet_write_string(sheet, rowIndex, lxw_col_t(column), text, cell.failing ? failingFormat : nil)
            }
            guard result == LXW_NO_ERROR else {
                throw SluiceError(.internalError, "cannot write line \(line) to the XLSX report: \(String(cString: lxw_strerror(result)))")
            }
        }
        rowsWritten += 1
    }

    private func startSheet() throws {
        guard let workbook else { throw SluiceError(.internalError, "XLSX report \(path) is already finished") }
        sheetNumber += 1
        let name = sheetNumber == 1 ? sheetName : "\(sheetName) \(sheetNumber)"
        guard let sheet = workbook_add_worksheet(workbook, name) else {
            throw SluiceError(.internalError, "cannot add sheet \(name) to the XLSX report")
        }
        self.sheet = sheet
        sheetRows = 0
        for (column, width) in widths.widths.prefix(header.count).enumerated() {
            worksheet_set_column(sheet, lxw_col_t(column), lxw_col_t(column), width, nil)
        }
        worksheet_freeze_panes(sheet, 1, 0)
        for (column, title) in header.enumerated() {
            worksheet_write_string(sheet, 0, lxw_col_t(column), XLSXCellText.sanitise(title), headerFormat)
        }
    }

    /// Puts the autofilter over the sheet's rows, now that their number is known.
    private func closeSheet() {
        guard let sheet, header.count > 0 else { return }
        worksheet_autofilter(sheet, 0, 0, lxw_row_t(sheetRows), lxw_col_t(header.count - 1))
        self.sheet = nil
    }

    // MARK: - Notes

    /// How many cells were cut to Excel's cell limit, in which columns and on which lines;
    /// `nil` when none was. Complete once `finish` has returned.
    var truncationNote: String? {
        guard truncation.cells > 0 else { return nil }
        let lines = truncation.lines.map(String.init).joined(separator: ", ") + (truncation.moreLines ? ", …" : "")
        return "\(Self.grouped(truncation.cells)) \(truncation.cells == 1 ? "cell was" : "cells were") longer than Excel's "
            + "\(Self.grouped(XLSXCellText.maximumLength)) characters per cell and cut, ending in "
            + "\"\(XLSXCellText.truncationMarker)\" (\(truncation.columns.joined(separator: ", ")); lines \(lines)): "
            + "the CSV report has them whole"
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

    private func writeSummary(_ entries: [RunSummaryReport.Entry], to workbook: UnsafeMutablePointer<lxw_workbook>) throws {
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
        for (index, entry) in entries.enumerated() {
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
