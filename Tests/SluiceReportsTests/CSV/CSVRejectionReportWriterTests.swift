import Foundation
import SluiceTestSupport
import SluiceCore
import SluiceReports
import Testing

struct CSVRejectionReportWriterTests {
    static let layout = ReportLayout(format: .csv, sourceColumns: ["id", "name", "iban"], columnSources: ["iban": 2])

    static func row(_ line: Int64, _ values: [String], raw: String, reasons: [RejectionReason]) -> RejectedRow {
        RejectedRow(line: line, batch: 0, values: values, raw: raw, reasons: reasons, failingColumns: [])
    }

    @Test func quotesFieldsWithDelimitersQuotesAndLineBreaks() throws {
        let path = ReportFiles.temporaryPath("csv")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writer = try CSVRejectionReportWriter(path: path, layout: Self.layout)
        try writer.write(Self.row(2, ["1", "Doe, \"Jane\"", "DE89**"], raw: "1,\"Doe, \"\"Jane\"\"\",DE89**",
                                  reasons: [RejectionReason(code: "a.b", message: "first"), RejectionReason(code: "c.d", message: "second")]))
        try writer.write(Self.row(4, ["2", "two\nlines", ""], raw: "2,\"two\nlines\",", reasons: [RejectionReason(code: "iban.required", message: "iban is empty")]))
        try writer.finish(summary: nil)
        #expect(writer.rowsWritten == 2)
        let expected = [
            #"line,reason_codes,messages,reason_columns,row_iban,row_amount,raw,id,name,iban"#,
            #"2,a.b; c.d,first; second,,DE89**,,"1,""Doe, """"Jane"""""",DE89**",1,"Doe, ""Jane""",DE89**"#,
            "4,iban.required,iban is empty,,,,\"2,\"\"two\nlines\"\",\",2,\"two\nlines\",",
        ]
        #expect(try ReportFiles.text(path) == expected.map { $0 + "\r\n" }.joined())
    }

    @Test func xlsxSourcesGetSheetAndSheetRowColumns() throws {
        let path = ReportFiles.temporaryPath("csv")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let layout = ReportLayout(format: .xlsx, sourceColumns: ["a"], sheet: "Debtors, 2024")
        let writer = try CSVRejectionReportWriter(path: path, layout: layout)
        try writer.write(RejectedRow(line: 12, batch: 0, values: ["x"], raw: "x", reasons: [], failingColumns: [0]))
        try writer.finish(summary: nil)
        #expect(try ReportFiles.text(path) == "sheet,sheet_row,reason_codes,messages,reason_columns,row_iban,row_amount,raw,a\r\n\"Debtors, 2024\",12,,,,,,x,x\r\n")
    }

    @Test func aReportWithoutRowsHasItsHeader() throws {
        let path = ReportFiles.temporaryPath("csv")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try CSVRejectionReportWriter(path: path, layout: Self.layout).finish(summary: nil)
        #expect(try ReportFiles.text(path) == "line,reason_codes,messages,reason_columns,row_iban,row_amount,raw,id,name,iban\r\n")
    }

    @Test func anUnwritablePathIsNamedInTheError() {
        let path = "/nonexistent-dir-\(UUID())/report.csv"
        #expect {
            _ = try CSVRejectionReportWriter(path: path, layout: Self.layout)
        } throws: { error in
            (error as? SluiceError)?.code == .invalidArgument && "\(error)".contains(path)
        }
    }

    @Test func manyRowsStreamThroughTheBuffer() throws {
        let path = ReportFiles.temporaryPath("csv")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writer = try CSVRejectionReportWriter(path: path, layout: Self.layout)
        for line in 2...20_001 {
            try writer.write(Self.row(Int64(line), ["\(line)", "n", ""], raw: "\(line),n,", reasons: [RejectionReason(code: "iban.required", message: "m")]))
        }
        try writer.finish(summary: nil)
        let lines = try ReportFiles.text(path).split(separator: "\r\n")
        #expect(lines.count == 20_001)
        #expect(lines.last == "20001,iban.required,m,,,,\"20001,n,\",20001,n,")
    }

    /// Issue 9, defect 6: the reasons and the row's IBAN and amount come before the source
    /// columns, and the CSV report keeps every source column of a very wide file.
    @Test func reasonsIBANAndAmountComeFirstAndEverySourceColumnFollows() throws {
        let path = ReportFiles.temporaryPath("csv")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let header = (0..<20_003).map { "c\($0)" }
        let layout = ReportLayout(format: .csv, sourceColumns: header, columnSources: ["iban": 20_000, "amount": 20_001])
        var values = header.map { "v" + $0.dropFirst() }
        values[20_000] = "DE89**************3000"
        values[20_001] = "12,50"
        let writer = try CSVRejectionReportWriter(path: path, layout: layout)
        try writer.write(RejectedRow(line: 2, batch: 0, values: values, raw: values.joined(separator: ","),
                                     reasons: [RejectionReason(code: "amount.format", message: "bad amount", column: "amount"),
                                               RejectionReason(code: "amount.range", message: "too small", column: "amount")],
                                     failingColumns: [20_001]))
        try writer.finish(summary: nil)
        #expect(writer.notes.isEmpty)
        let lines = try ReportFiles.text(path).split(separator: "\r\n").map(String.init)
        let columns = lines[0].split(separator: ",", omittingEmptySubsequences: false)
        #expect(columns.count == 7 + 20_003)
        #expect(Array(columns.prefix(8)) == ["line", "reason_codes", "messages", "reason_columns", "row_iban", "row_amount", "raw", "c0"])
        #expect(columns.last == "c20002")
        #expect(lines[1].hasPrefix("2,amount.format; amount.range,bad amount; too small,amount,DE89**************3000,\"12,50\",\"v0,v1,"))
        #expect(lines[1].hasSuffix(",v19999,DE89**************3000,\"12,50\",v20002"))
    }
}
