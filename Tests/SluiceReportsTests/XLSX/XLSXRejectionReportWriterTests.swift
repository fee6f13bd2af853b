import Foundation
import SluiceTestSupport
import SluiceCore
import SluiceReports
import Testing

struct XLSXRejectionReportWriterTests {
    static let layout = ReportLayout(format: .csv, sourceColumns: ["id", "name", "iban", "amount"], columnSources: ["iban": 2, "amount": 3])

    static let summary: RunSummaryReport = {
        var counters = RunCounters()
        counters.rowsRead = 10
        counters.rowsAccepted = 8
        counters.rowsRejected = 2
        counters.bytesRead = 1000
        counters.batches = 1
        counters.rejectedByReason = ["iban.checksum": 1, "amount.invalid": 1, "csv.ragged": 1]
        let run = RunRecord(
            id: UUID(uuidString: "1a2b3c4d-0000-0000-0000-000000000000")!, pipeline: "debtors", objectURI: "s3://b/k.csv", etag: "e1",
            objectSize: 1000, targetTable: "sluice.debtors", batchRows: 10, status: .completed, counters: counters, attempts: 1,
            startedAt: Date(timeIntervalSince1970: 1_700_000_000), updatedAt: Date(timeIntervalSince1970: 1_700_000_012),
            finishedAt: Date(timeIntervalSince1970: 1_700_000_012))
        return RunSummaryReport(run: run, timings: ["decode": 0.25])
    }()

    static func rows() -> [RejectedRow] {
        let builder = RejectedRowBuilder(layout: layout)
        return [
            builder.row(line: 3, batch: 0, raw: Array("7,Doe & <Sons>,DE89370400440532013001,12".utf8),
                        reasons: [RejectionReason(code: "iban.checksum", message: "IBAN check digits do not match", column: "iban")]),
            builder.row(line: 5, batch: 0, raw: Array("8,Roe,DE89370400440532013000,abc".utf8),
                        reasons: [RejectionReason(code: "amount.invalid", message: "amount is not a number", column: "amount"),
                                  RejectionReason(code: "x.control", message: "control \u{1} char")]),
        ]
    }

    /// Writes `rows` and returns the parts of the workbook.
    static func write(_ rows: [RejectedRow], layout: ReportLayout = layout, options: XLSXRejectionReportWriter.Options = .init(),
                      summary: RunSummaryReport? = summary) throws -> (path: String, writer: XLSXRejectionReportWriter) {
        let path = ReportFiles.temporaryPath("xlsx")
        let writer = try XLSXRejectionReportWriter(path: path, layout: layout, options: options)
        for row in rows { try writer.write(row) }
        try writer.finish(summary: summary)
        return (path, writer)
    }

    @Test func theSheetHasAFrozenHeaderAutofilterWidthsAndHighlightedCells() throws {
        let (path, writer) = try Self.write(Self.rows())
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(writer.rowsWritten == 2)
        #expect(try ReportFiles.isValidZip(path))
        let sheet = try ReportFiles.unzip(path, part: "xl/worksheets/sheet1.xml")
        #expect(sheet.contains(#"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#))
        #expect(sheet.contains(#"<autoFilter ref="A1:K3"/>"#))
        #expect(sheet.contains("<cols>"))
        #expect(sheet.contains(#"<col min="1" max="1" width="10.7109375" customWidth="1"/>"#), "line column at the 10-character minimum")
        // Header in bold (style 1), values as inline strings, failing cells in the red style (2).
        #expect(sheet.contains(#"<c r="A1" s="1" t="inlineStr"><is><t>line</t></is></c>"#))
        #expect(sheet.contains(#"<c r="A2"><v>3</v></c>"#))
        // line, reason_codes, messages, reason_columns, row_iban, row_amount, raw (A…G), then id, name, iban, amount (H…K).
        #expect(sheet.contains(#"<c r="I2" t="inlineStr"><is><t>Doe &amp; &lt;Sons&gt;</t></is></c>"#))
        #expect(sheet.contains(#"<c r="J2" s="2" t="inlineStr"><is><t>DE89**************3001</t></is></c>"#))
        #expect(sheet.contains(#"<c r="E2" s="2" t="inlineStr"><is><t>DE89**************3001</t></is></c>"#), "the row's IBAN up front, red too")
        #expect(sheet.contains(#"<c r="K2" t="inlineStr"><is><t>12</t></is></c>"#), "a passing cell has no fill")
        #expect(sheet.contains(#"<c r="F2" t="inlineStr"><is><t>12</t></is></c>"#))
        #expect(sheet.contains(#"<c r="K3" s="2" t="inlineStr"><is><t>abc</t></is></c>"#))
        #expect(sheet.contains(#"<c r="F3" s="2" t="inlineStr"><is><t>abc</t></is></c>"#))
        #expect(sheet.contains(#"<c r="B3" t="inlineStr"><is><t>amount.invalid; x.control</t></is></c>"#))
        #expect(sheet.contains(#"<c r="D3" t="inlineStr"><is><t>amount</t></is></c>"#), "the columns the reasons name")
        #expect(sheet.contains("control _x0001_ char"), "control characters are escaped, not dropped")
        #expect(!sheet.contains("DE89370400440532013000"), "IBANs are masked in every column")

        let styles = try ReportFiles.unzip(path, part: "xl/styles.xml")
        #expect(styles.contains(#"<fgColor rgb="FFFFC7CE"/>"#))
        #expect(styles.contains("<b/>"))
    }

    @Test func theSummarySheetHoldsTheCounts() throws {
        let (path, _) = try Self.write(Self.rows())
        defer { try? FileManager.default.removeItem(atPath: path) }
        let workbook = try ReportFiles.unzip(path, part: "xl/workbook.xml")
        #expect(workbook.contains(#"<sheet name="Rejections" sheetId="1""#))
        #expect(workbook.contains(#"<sheet name="Summary" sheetId="2""#))
        let summary = try ReportFiles.unzip(path, part: "xl/worksheets/sheet2.xml")
        #expect(summary.contains("<t>rejections_by_stage</t>"))
        #expect(summary.contains("<t>iban.checksum</t>"))
        #expect(summary.contains("<t>parse</t>") && summary.contains("<t>validate</t>"))
        #expect(summary.contains("<v>12</v>"), "duration in seconds")
    }

    @Test func aReportWithoutRowsHasItsHeaderAndFilter() throws {
        let (path, writer) = try Self.write([], summary: nil)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(writer.rowsWritten == 0)
        let sheet = try ReportFiles.unzip(path, part: "xl/worksheets/sheet1.xml")
        #expect(sheet.contains(#"<autoFilter ref="A1:K1"/>"#))
        #expect(sheet.contains("<t>reason_codes</t>"))
    }

    @Test func rowsBeyondASheetContinueOnTheNextSheet() throws {
        let rows = (0..<7).map { RejectedRow(line: Int64($0 + 2), batch: 0, values: ["\($0)"], raw: "\($0)", reasons: [], failingColumns: []) }
        let layout = ReportLayout(format: .xlsx, sourceColumns: ["id"], sheet: "Debtors")
        let (path, writer) = try Self.write(rows, layout: layout, options: .init(sampleRows: 2, rowsPerSheet: 3), summary: nil)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(writer.rowsWritten == 7)
        let workbook = try ReportFiles.unzip(path, part: "xl/workbook.xml")
        #expect(workbook.contains(#"name="Rejections 3""#))
        let third = try ReportFiles.unzip(path, part: "xl/worksheets/sheet3.xml")
        #expect(third.contains(#"<autoFilter ref="A1:I2"/>"#))
        #expect(third.contains(#"<c r="B2"><v>8</v></c>"#))
        #expect(third.contains(#"<c r="A2" t="inlineStr"><is><t>Debtors</t></is></c>"#))
    }

    @Test func oddTextNeverBreaksTheWorkbook() throws {
        let huge = String(repeating: "x", count: 40_000)
        let row = RejectedRow(line: 2, batch: 0, values: ["\0", huge, "\u{FFFD}\u{1F600}", ""], raw: huge, reasons: [], failingColumns: [0, 1, 2, 3])
        let (path, _) = try Self.write([row])
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try ReportFiles.isValidZip(path))
        let sheet = try ReportFiles.unzip(path, part: "xl/worksheets/sheet1.xml")
        #expect(sheet.contains(XLSXCellText.truncationMarker))
        #expect(sheet.contains(#"<c r="K2" s="2"/>"#), "an empty failing cell is still filled")
        #expect(sheet.contains(#"<c r="F2" s="2"/>"#), "and so is the row's amount up front")
    }

    @Test func anUnwritablePathIsNamedInTheError() {
        let path = "/nonexistent-dir-\(UUID())/report.xlsx"
        #expect {
            _ = try XLSXRejectionReportWriter(path: path, layout: Self.layout)
        } throws: { error in
            (error as? SluiceError)?.code == .invalidArgument && "\(error)".contains(path)
        }
    }

    // MARK: - Wide files and long cells (issue 9, defect 6)

    @Test func theReasonAndIdentifyingColumnsComeBeforeTheSourceColumns() throws {
        let (path, writer) = try Self.write(Self.rows())
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(writer.notes.isEmpty)
        let sheet = try ReportFiles.unzip(path, part: "xl/worksheets/sheet1.xml")
        let header = ["line", "reason_codes", "messages", "reason_columns", "row_iban", "row_amount", "raw", "id", "name", "iban", "amount"]
        for (column, title) in zip("ABCDEFGHIJK", header) {
            #expect(sheet.contains(#"<c r="\#(column)1" s="1" t="inlineStr"><is><t>\#(title)</t></is></c>"#), "\(column)1 is \(title)")
        }
        let workbook = try ReportFiles.unzip(path, part: "xl/workbook.xml")
        #expect(!workbook.contains(#"name="Notes""#), "nothing to say, no Notes sheet")
    }

    /// A file of 20,003 columns, its IBAN and amount near the end: the sheet stops at XFD with
    /// the reasons, the row's IBAN and amount and the raw record first, and says what it left out.
    @Test func aFileWiderThanASheetKeepsItsReasonsAndSaysWhatWasLeftOut() throws {
        let header = (0..<20_003).map { "c\($0)" }
        let layout = ReportLayout(format: .csv, sourceColumns: header, columnSources: ["iban": 20_000, "amount": 20_001])
        var raw = header.map { "v" + $0.dropFirst() }
        raw[20_000] = "DE89370400440532013000"
        raw[20_001] = "abc"
        let row = RejectedRowBuilder(layout: layout).row(
            line: 2, batch: 0, raw: Array(raw.joined(separator: ",").utf8),
            reasons: [RejectionReason(code: "amount.invalid", message: "amount is not a number", column: "amount")])
        let (path, writer) = try Self.write([row], layout: layout)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try ReportFiles.isValidZip(path))

        let sheet = try ReportFiles.unzip(path, part: "xl/worksheets/sheet1.xml")
        #expect(sheet.contains(#"<autoFilter ref="A1:XFD2"/>"#))
        #expect(sheet.contains(#"<c r="B1" s="1" t="inlineStr"><is><t>reason_codes</t></is></c>"#))
        #expect(sheet.contains(#"<c r="B2" t="inlineStr"><is><t>amount.invalid</t></is></c>"#))
        #expect(sheet.contains(#"<c r="C2" t="inlineStr"><is><t>amount is not a number</t></is></c>"#))
        #expect(sheet.contains(#"<c r="E2" t="inlineStr"><is><t>DE89**************3000</t></is></c>"#))
        #expect(sheet.contains(#"<c r="F2" s="2" t="inlineStr"><is><t>abc</t></is></c>"#))
        #expect(sheet.contains(#"<c r="H1" s="1" t="inlineStr"><is><t>c0</t></is></c>"#))
        #expect(sheet.contains(#"<c r="XFD1" s="1" t="inlineStr"><is><t>c16376</t></is></c>"#))
        #expect(!sheet.contains("c16377"), "the first source column that does not fit")
        #expect(!sheet.contains(#"r="XFE"#), "nothing past Excel's last column")
        #expect(sheet.contains(XLSXCellText.truncationMarker), "the raw record of 140,000 characters is cut")

        let columnsNote = "3,626 source columns (from \"c16377\", the file's column 16,378, onwards) were left out: "
            + "Excel sheets hold at most 16,384 columns; the CSV report has them all"
        let cutNote = "1 cell was longer than Excel's 32,767 characters per cell and cut, ending in "
            + "\"\(XLSXCellText.truncationMarker)\" (raw; lines 2): the CSV report has them whole"
        #expect(writer.notes == [columnsNote, cutNote])
        let workbook = try ReportFiles.unzip(path, part: "xl/workbook.xml")
        #expect(workbook.contains(#"<sheet name="Notes" sheetId="2""#))
        #expect(workbook.contains(#"<sheet name="Summary" sheetId="3""#))
        let notes = try ReportFiles.unzip(path, part: "xl/worksheets/sheet2.xml")
        #expect(notes.contains("3,626 source columns (from"))
        #expect(notes.contains("the CSV report has them all"))
        #expect(notes.contains("cell was longer than Excel"))
    }

    @Test func theReasonColumnsStayWhenTheSheetIsNarrowerThanThem() throws {
        let (path, writer) = try Self.write(Self.rows(), options: .init(maximumColumns: 3))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let sheet = try ReportFiles.unzip(path, part: "xl/worksheets/sheet1.xml")
        #expect(sheet.contains(#"<autoFilter ref="A1:G3"/>"#), "line, the reasons, the row's IBAN and amount, raw")
        #expect(writer.notes.first?.hasPrefix(#"4 source columns (from "id", the file's column 1, onwards) were left out"#) == true)
    }

    @Test func recordsLongerThanACellAreCutAndTheNotesSaySo() throws {
        let huge = String(repeating: "x", count: 40_000)
        let rows = [
            RejectedRow(line: 5, batch: 0, values: ["1", "n", "", ""], raw: huge, reasons: [], failingColumns: []),
            RejectedRow(line: 7, batch: 0, values: ["2", "n", "", ""], raw: "short", reasons: [], failingColumns: []),
            RejectedRow(line: 9, batch: 0, values: ["3", huge, "", ""], raw: huge, reasons: [], failingColumns: []),
        ]
        let (path, writer) = try Self.write(rows)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try ReportFiles.isValidZip(path))
        #expect(writer.rowsWritten == 3, "a long record is cut, not dropped")
        #expect(writer.notes == [
            "3 cells were longer than Excel's 32,767 characters per cell and cut, ending in \"\(XLSXCellText.truncationMarker)\" "
                + "(raw, name; lines 5, 9): the CSV report has them whole",
        ])
        let sheet = try ReportFiles.unzip(path, part: "xl/worksheets/sheet1.xml")
        #expect(sheet.components(separatedBy: XLSXCellText.truncationMarker).count - 1 == 3)
        let notes = try ReportFiles.unzip(path, part: "xl/worksheets/sheet2.xml")
        #expect(notes.contains("(raw, name; lines 5, 9)"))
    }
}
