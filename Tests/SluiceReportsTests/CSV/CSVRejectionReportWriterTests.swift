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
            #"line,id,name,iban,reason_codes,messages,raw"#,
            #"2,1,"Doe, ""Jane""",DE89**,a.b; c.d,first; second,"1,""Doe, """"Jane"""""",DE89**""#,
            "4,2,\"two\nlines\",,iban.required,iban is empty,\"2,\"\"two\nlines\"\",\"",
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
        #expect(try ReportFiles.text(path) == "sheet,sheet_row,a,reason_codes,messages,raw\r\n\"Debtors, 2024\",12,x,,,x\r\n")
    }

    @Test func aReportWithoutRowsHasItsHeader() throws {
        let path = ReportFiles.temporaryPath("csv")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try CSVRejectionReportWriter(path: path, layout: Self.layout).finish(summary: nil)
        #expect(try ReportFiles.text(path) == "line,id,name,iban,reason_codes,messages,raw\r\n")
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
        #expect(lines.last == "20001,20001,n,,iban.required,m,\"20001,n,\"")
    }
}
