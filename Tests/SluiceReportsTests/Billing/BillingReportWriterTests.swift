import Foundation
import SluiceCore
import SluiceFormats
import SluiceReports
import SluiceTestSupport
import Testing

struct BillingReportWriterTests {
    /// Attempts and skips, with values that must not break a CSV or become a formula.
    static let rows = [
        BillingReportRow(
            line: 2, ibanMasked: "DE89**************3000", amountMinor: 1234, currency: "EUR", model: "flywheel", outcome: "approved",
            detail: "Transaction successful", transactionID: "sl-run-2", uniqueID: "u-1", saleRequests: 1),
        BillingReportRow(
            line: 3, ibanMasked: "FR14**************0189", amountMinor: 2999, currency: "EUR", model: "recovery", outcome: "declined",
            reason: "AM04", detail: "Insufficient funds, \"try later\"\nor never", transactionID: "sl-run-3", uniqueID: "u-2", saleRequests: 2),
        BillingReportRow(
            line: 5, ibanMasked: "DE02**************0001", amountMinor: 499, model: "flywheel", outcome: BillingReportRow.skipped,
            reason: "billing.cycle_locked", detail: "=HYPERLINK(\"x\")"),
        BillingReportRow(line: 7, ibanMasked: "", amountMinor: nil, outcome: BillingReportRow.skipped, reason: "billing.invalid_row", detail: "no IBAN"),
    ]

    static let figures = BillingFigures(
        terminal: "sim-terminal", state: "completed", attempts: 2, skipped: 2,
        byOutcome: ["approved": 1, "declined": 1, "skipped": 2], byReason: ["AM04": 1, "billing.cycle_locked": 1, "billing.invalid_row": 1],
        approvedAmountMinor: 1234)

    static func csv(_ rows: [BillingReportRow]) throws -> String {
        let path = ReportFiles.temporaryPath("csv")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writer = try CSVBillingReportWriter(path: path)
        for row in rows { try writer.write(row) }
        try writer.finish(summary: nil, figures: nil)
        #expect(writer.rowsWritten == rows.count)
        return try ReportFiles.text(path)
    }

    static func xlsx(
        _ rows: [BillingReportRow], summary: RunSummaryReport? = nil, figures: BillingFigures? = nil,
        options: XLSXBillingReportWriter.Options = .init()
    ) throws -> String {
        let path = ReportFiles.temporaryPath("xlsx")
        let writer = try XLSXBillingReportWriter(path: path, options: options)
        for row in rows { try writer.write(row) }
        try writer.finish(summary: summary, figures: figures)
        #expect(writer.rowsWritten == rows.count)
        return path
    }

    @Test(arguments: [(0, "0.00"), (5, "0.05"), (199, "1.99"), (123_456, "1234.56"), (-5, "-0.05"), (-1250, "-12.50")])
    func amountsAreDecimalTextWithTwoPlaces(minor: Int64, text: String) {
        #expect(BillingReportRow.decimal(minor) == text)
    }

    @Test func theCSVHasTheColumnsInOrderAndQuotesHostileValues() throws {
        let expected = [
            "line,iban,amount,currency,model,outcome,reason,detail,transaction_id,unique_id,sale_requests",
            "2,DE89**************3000,12.34,EUR,flywheel,approved,,Transaction successful,sl-run-2,u-1,1",
            "3,FR14**************0189,29.99,EUR,recovery,declined,AM04,\"Insufficient funds, \"\"try later\"\"\nor never\",sl-run-3,u-2,2",
            #"5,DE02**************0001,4.99,,flywheel,skipped,billing.cycle_locked,"=HYPERLINK(""x"")",,,"#,
            "7,,,,,skipped,billing.invalid_row,no IBAN,,,",
        ]
        #expect(try Self.csv(Self.rows) == expected.map { $0 + "\r\n" }.joined())
    }

    @Test func aRunWithoutRowsIsItsHeader() throws {
        #expect(try Self.csv([]) == BillingReportRow.columns.joined(separator: ",") + "\r\n")
    }

    @Test func theCSVStreamsInChunks() throws {
        let output = ChunkedReportOutput(chunkSize: 64)
        let writer = try CSVBillingReportWriter(output: output)
        var bytes: [UInt8] = []
        for row in Self.rows {
            try writer.write(row)
            if let chunk = output.takeChunk() { bytes += chunk }
        }
        try writer.finish(summary: nil, figures: nil)
        while let chunk = output.takeChunk() { bytes += chunk }
        #expect(String(decoding: bytes, as: UTF8.self) == (try Self.csv(Self.rows)))
    }

    /// Sluice's own XLSX reader reads the workbook back to the CSV report's records, amounts
    /// as the numbers they are (`12.3` for 12.30).
    @Test func theXLSXReadsBackAsTheCSVWithAmountsAsNumbers() async throws {
        var rows = Self.rows
        rows.append(BillingReportRow(line: 9, ibanMasked: "x", amountMinor: 500, currency: "EUR", model: "legacy", outcome: "pending",
                                     transactionID: "sl-run-9", saleRequests: 1))
        let xlsx = try Self.xlsx(rows)
        let csv = ReportFiles.temporaryPath("csv")
        defer {
            try? FileManager.default.removeItem(atPath: xlsx)
            try? FileManager.default.removeItem(atPath: csv)
        }
        try Data(try Self.csv(rows).utf8).write(to: URL(fileURLWithPath: csv))
        let fromXLSX = try await VOPReportWriterTests.read(xlsx)
        let amount = BillingReportRow.columns.firstIndex(of: "amount")!
        let expected = try await VOPReportWriterTests.read(csv).enumerated().map { index, record in
            guard index > 0, !record[amount].isEmpty, let value = Double(record[amount]) else { return record }
            var record = record
            record[amount] = value == value.rounded() ? String(Int64(value)) : "\(value)"
            return record
        }
        #expect(fromXLSX.first == BillingReportRow.columns)
        #expect(fromXLSX.count == 1 + rows.count)
        #expect(fromXLSX == expected)
        #expect(fromXLSX.last?[amount] == "5" && fromXLSX[1][amount] == "12.34")
    }

    @Test func theSheetHasAFrozenHeaderFilterNumbersAndFailuresInRed() throws {
        let path = try Self.xlsx(Self.rows)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try ReportFiles.isValidZip(path))
        let workbook = try ReportFiles.unzip(path, part: "xl/workbook.xml")
        #expect(workbook.contains(#"<sheet name="Billing" sheetId="1""#))
        #expect(!workbook.contains("Summary"), "no summary given, no Summary sheet")
        let sheet = try ReportFiles.unzip(path, part: "xl/worksheets/sheet1.xml")
        #expect(sheet.contains(#"state="frozen""#))
        #expect(sheet.contains(#"<autoFilter ref="A1:K5"/>"#))
        #expect(sheet.contains(#"<c r="A1" s="1" t="inlineStr"><is><t>line</t></is></c>"#))
        #expect(sheet.contains(#"<c r="A2"><v>2</v></c>"#), "line is a number")
        #expect(sheet.contains(#"<c r="C2"><v>12.34</v></c>"#), "amount is a number")
        #expect(sheet.contains(#"<c r="K3"><v>2</v></c>"#), "sale_requests is a number")
        #expect(!sheet.contains(#"r="K4""#) && !sheet.contains(#"r="C5""#), "a skip has no sale request, an unknown amount no cell")
        #expect(sheet.contains(#"<c r="F3" s="2" t="inlineStr"><is><t>declined</t></is></c>"#), "a declined charge is red")
        #expect(sheet.contains(#"<c r="F2" t="inlineStr"><is><t>approved</t></is></c>"#))
        #expect(sheet.contains(#"<c r="F4" t="inlineStr"><is><t>skipped</t></is></c>"#), "a skip is not a failure")
        #expect(sheet.contains("<t>=HYPERLINK(\"x\")</t>") || sheet.contains("<t>=HYPERLINK(&quot;x&quot;)</t>"), "text, never a formula")
        #expect(!sheet.contains("<f>"))
    }

    @Test func theSummarySheetEndsWithTheBillingFigures() async throws {
        let path = try Self.xlsx(Self.rows, summary: VOPFiguresTests.summary(vop: nil), figures: Self.figures)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let summary = try await VOPReportWriterTests.read(path, sheet: "Summary")
        #expect(summary.first == ["section", "key", "value"])
        #expect(summary.contains(["run", "pipeline", "debtors"]), "the run summary first")
        let billing = Array(summary.drop { $0.first != "billing" })
        #expect(billing == [
            ["billing", "terminal", "sim-terminal"], ["billing", "state", "completed"], ["billing", "rows", "4"],
            ["billing", "attempts", "2"], ["billing", "skipped", "2"], ["billing", "approved_amount", "12.34"],
            ["billing_by_outcome", "approved", "1"], ["billing_by_outcome", "declined", "1"], ["billing_by_outcome", "skipped", "2"],
            ["billing_by_reason", "AM04", "1"], ["billing_by_reason", "billing.cycle_locked", "1"], ["billing_by_reason", "billing.invalid_row", "1"],
        ], "\(summary)")
    }

    @Test func rowsBeyondASheetContinueOnTheNextSheet() throws {
        let rows = (0..<5).map {
            BillingReportRow(line: Int64($0 + 2), ibanMasked: "x", amountMinor: 199, outcome: "approved", saleRequests: 1)
        }
        let path = try Self.xlsx(rows, options: .init(sampleRows: 1, rowsPerSheet: 2))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let workbook = try ReportFiles.unzip(path, part: "xl/workbook.xml")
        #expect(workbook.contains(#"name="Billing 3""#))
        let third = try ReportFiles.unzip(path, part: "xl/worksheets/sheet3.xml")
        #expect(third.contains(#"<c r="A2"><v>6</v></c>"#))
    }

    @Test func anUnwritablePathIsNamedInTheError() {
        let path = "/nonexistent-dir-\(UUID())/billing.xlsx"
        for make in [{ _ = try XLSXBillingReportWriter(path: path) }, { _ = try CSVBillingReportWriter(path: path) }] {
            #expect {
                try make()
            } throws: { error in
                (error as? SluiceError)?.code == .invalidArgument && "\(error)".contains(path)
            }
        }
    }
}
