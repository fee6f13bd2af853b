import Foundation
import SluiceTestSupport
import SluiceCore
import SluiceReports
import Testing

struct XLSXRejectionReportWriterTests {
    static let layout = ReportLayout(format: .csv, sourceColumns: ["id", "name", "iban", "amount"], columnSources: ["iban": 2, "amount": 3])

    static let summary = RunSummaryReport(
        runID: "1a2b3c4d-0000-0000-0000-000000000000", pipeline: "debtors", object: "s3://b/k.csv", status: "completed",
        rowsRead: 10, rowsAccepted: 8, rowsRejected: 2, bytesRead: 1000, batches: 1,
        rejectionsByReason: ["iban.checksum": 1, "amount.invalid": 1, "csv.ragged": 1], timings: ["decode": 0.25],
        startedAt: Date(timeIntervalSince1970: 1_700_000_000), finishedAt: Date(timeIntervalSince1970: 1_700_000_012))

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
        #expect(sheet.contains(#"<autoFilter ref="A1:H3"/>"#))
        #expect(sheet.contains("<cols>"))
        #expect(sheet.contains(#"<col min="1" max="1" width="10.7109375" customWidth="1"/>"#), "line column at the 10-character minimum")
        // Header in bold (style 1), values as inline strings, failing cells in the red style (2).
        #expect(sheet.contains(#"<c r="A1" s="1" t="inlineStr"><is><t>line</t></is></c>"#))
        #expect(sheet.contains(#"<c r="A2"><v>3</v></c>"#))
        #expect(sheet.contains(#"<c r="C2" t="inlineStr"><is><t>Doe &amp; &lt;Sons&gt;</t></is></c>"#))
        #expect(sheet.contains(#"<c r="D2" s="2" t="inlineStr"><is><t>DE89**************3001</t></is></c>"#))
        #expect(sheet.contains(#"<c r="E2" t="inlineStr"><is><t>12</t></is></c>"#), "a passing cell has no fill")
        #expect(sheet.contains(#"<c r="E3" s="2" t="inlineStr"><is><t>abc</t></is></c>"#))
        #expect(sheet.contains(#"<c r="F3" t="inlineStr"><is><t>amount.invalid; x.control</t></is></c>"#))
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
        #expect(sheet.contains(#"<autoFilter ref="A1:H1"/>"#))
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
        #expect(third.contains(#"<autoFilter ref="A1:F2"/>"#))
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
        #expect(sheet.contains(#"<c r="E2" s="2"/>"#), "an empty failing cell is still filled")
    }

    @Test func anUnwritablePathIsNamedInTheError() {
        let path = "/nonexistent-dir-\(UUID())/report.xlsx"
        #expect {
            _ = try XLSXRejectionReportWriter(path: path, layout: Self.layout)
        } throws: { error in
            (error as? SluiceError)?.code == .invalidArgument && "\(error)".contains(path)
        }
    }
}
