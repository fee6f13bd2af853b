import Foundation
import SluiceCore
import SluiceFormats
import SluiceReports
import SluiceTestSupport
import Testing

struct VOPReportWriterTests {
    static let rows = [
        VOPReportRow(
            line: 2, nameSent: "Doe, \"Jane\"", ibanMasked: "DE89**************3000", outcome: "close_match", matchedName: "Jane Doe",
            score: 0.87, answeredBy: "provider", decision: "flagged", latencyMs: 35.1234567, provider: "epc", accountType: "individual"),
        VOPReportRow(
            line: 3, nameSent: "ACME\nGmbH", ibanMasked: "DE02**************0001", outcome: "match", matchedName: nil, score: 1,
            answeredBy: "cache", decision: "accepted", provider: "epc", accountType: "company"),
        VOPReportRow(
            line: 7, nameSent: "=HYPERLINK(\"x\")", ibanMasked: "FR14**************0189", outcome: "no_match", answeredBy: "shared",
            decision: "rejected", provider: "bav", accountType: "individual"),
    ]

    static func csv(_ rows: [VOPReportRow]) throws -> String {
        let path = ReportFiles.temporaryPath("csv")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writer = try CSVVOPReportWriter(path: path)
        for row in rows { try writer.write(row) }
        try writer.finish(summary: nil)
        #expect(writer.rowsWritten == rows.count)
        return try ReportFiles.text(path)
    }

    static func xlsx(_ rows: [VOPReportRow], summary: RunSummaryReport? = nil, options: XLSXVOPReportWriter.Options = .init()) throws -> String {
        let path = ReportFiles.temporaryPath("xlsx")
        let writer = try XLSXVOPReportWriter(path: path, options: options)
        for row in rows { try writer.write(row) }
        try writer.finish(summary: summary)
        #expect(writer.rowsWritten == rows.count)
        return path
    }

    /// Every record of `path` as text, as `sluice run` and `sluice inspect` read it.
    static func read(_ path: String, sheet: String? = nil) async throws -> [[String]] {
        let source = LocalFileSource(path: path)
        var decoder = try await RecordDecoders.open(source: source, object: try await source.describe(), options: DecoderOptions(sheet: sheet))
        var records = [try await decoder.readSourceHeader().fields]
        while let batch = try await decoder.nextBatch() {
            for row in 0..<batch.rowCount {
                records.append((0..<batch.fieldCount(ofRow: row)).map { batch.text(row: row, field: $0) })
            }
        }
        return records
    }

    @Test func theCSVHasTheColumnsInOrderQuotedAsTheRejectionReport() throws {
        let expected = [
            "line,name_sent,iban,outcome,matched_name,score,from_cache,answered_by,decision,latency_ms,provider,account_type",
            #"2,"Doe, ""Jane""",DE89**************3000,close_match,Jane Doe,0.87,false,provider,flagged,35.123,epc,individual"#,
            "3,\"ACME\nGmbH\",DE02**************0001,match,,1,true,cache,accepted,,epc,company",
            #"7,"=HYPERLINK(""x"")",FR14**************0189,no_match,,,false,shared,rejected,,bav,individual"#,
        ]
        #expect(try Self.csv(Self.rows) == expected.map { $0 + "\r\n" }.joined())
    }

    @Test func aReportWithoutChecksIsItsHeader() throws {
        #expect(try Self.csv([]) == VOPReportRow.columns.joined(separator: ",") + "\r\n")
    }

    @Test func theCSVStreamsInChunks() throws {
        let output = ChunkedReportOutput(chunkSize: 64)
        let writer = try CSVVOPReportWriter(output: output)
        var bytes: [UInt8] = []
        for row in Self.rows {
            try writer.write(row)
            if let chunk = output.takeChunk() { bytes += chunk }
        }
        try writer.finish(summary: nil)
        while let chunk = output.takeChunk() { bytes += chunk }
        #expect(String(decoding: bytes, as: UTF8.self) == (try Self.csv(Self.rows)))
    }

    /// The project's own XLSX reader reads the workbook back to exactly the CSV report's records.
    @Test func theXLSXReadsBackWithSluicesOwnReaderAsTheCSV() async throws {
        let xlsx = try Self.xlsx(Self.rows)
        let csv = ReportFiles.temporaryPath("csv")
        defer {
            try? FileManager.default.removeItem(atPath: xlsx)
            try? FileManager.default.removeItem(atPath: csv)
        }
        try Data(try Self.csv(Self.rows).utf8).write(to: URL(fileURLWithPath: csv))
        let fromXLSX = try await Self.read(xlsx)
        #expect(fromXLSX.first == VOPReportRow.columns)
        #expect(fromXLSX.count == 1 + Self.rows.count)
        #expect(fromXLSX == (try await Self.read(csv)))
    }

    @Test func theSheetHasAFrozenHeaderFilterNumbersAndRejectionsInRed() throws {
        let path = try Self.xlsx(Self.rows)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try ReportFiles.isValidZip(path))
        let workbook = try ReportFiles.unzip(path, part: "xl/workbook.xml")
        #expect(workbook.contains(#"<sheet name="VOP checks" sheetId="1""#))
        #expect(!workbook.contains("Summary"), "no summary given, no Summary sheet")
        let sheet = try ReportFiles.unzip(path, part: "xl/worksheets/sheet1.xml")
        #expect(sheet.contains(#"state="frozen""#))
        #expect(sheet.contains(#"<autoFilter ref="A1:L4"/>"#))
        #expect(sheet.contains(#"<c r="A1" s="1" t="inlineStr"><is><t>line</t></is></c>"#))
        #expect(sheet.contains(#"<c r="A2"><v>2</v></c>"#), "line is a number")
        #expect(sheet.contains(#"<c r="F2"><v>0.87</v></c>"#), "score is a number")
        #expect(sheet.contains(#"<c r="J2"><v>35.123</v></c>"#), "latency in ms, to the microsecond")
        #expect(sheet.contains(#"<c r="G3" t="inlineStr"><is><t>true</t></is></c>"#), "from_cache")
        #expect(sheet.contains(#"<c r="I4" s="2" t="inlineStr"><is><t>rejected</t></is></c>"#), "a rejection's decision is red")
        #expect(sheet.contains(#"<c r="I2" t="inlineStr"><is><t>flagged</t></is></c>"#))
        #expect(sheet.contains("<t>=HYPERLINK(\"x\")</t>") || sheet.contains("<t>=HYPERLINK(&quot;x&quot;)</t>"), "text, never a formula")
        #expect(!sheet.contains("<f>"))
    }

    @Test func theSummarySheetHoldsTheRunsVOPFigures() async throws {
        let path = try Self.xlsx(Self.rows, summary: VOPFiguresTests.summary(vop: VOPFiguresTests.figures))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let summary = try await Self.read(path, sheet: "Summary")
        #expect(summary.first == ["section", "key", "value"])
        #expect(summary.contains(["vop", "provider_calls", "2"]))
        #expect(summary.contains(["vop_by_outcome", "close_match", "1"]))
        #expect(summary.contains(["vop", "latency_p95_ms", "48.5"]))
    }

    @Test func checksBeyondASheetContinueOnTheNextSheet() throws {
        let rows = (0..<5).map { VOPReportRow(line: Int64($0 + 2), nameSent: "n\($0)", ibanMasked: "x", outcome: "match",
                                              answeredBy: "cache", decision: "accepted", provider: "epc", accountType: "individual") }
        let path = try Self.xlsx(rows, options: .init(sampleRows: 1, rowsPerSheet: 2))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let workbook = try ReportFiles.unzip(path, part: "xl/workbook.xml")
        #expect(workbook.contains(#"name="VOP checks 3""#))
        let third = try ReportFiles.unzip(path, part: "xl/worksheets/sheet3.xml")
        #expect(third.contains(#"<c r="A2"><v>6</v></c>"#))
    }

    @Test func anUnwritablePathIsNamedInTheError() {
        let path = "/nonexistent-dir-\(UUID())/vop.xlsx"
        for make in [{ _ = try XLSXVOPReportWriter(path: path) }, { _ = try CSVVOPReportWriter(path: path) }] {
            #expect {
                try make()
            } throws: { error in
                (error as? SluiceError)?.code == .invalidArgument && "\(error)".contains(path)
            }
        }
    }
}
