import Foundation
import SluiceTestSupport
import PostgresNIO
import SluiceCore
import SluiceFormats
import SluicePipeline
import SluiceReports
import SluiceS3
import Testing

/// `sluice report` on the real stack: a run of `Samples/debtors-10k.csv` from S3, its reports
/// written by the real binary and read back.
@Suite(.serialized)
struct ReportTests {
    let environment: IntegrationEnvironment
    let binary: String

    init() throws {
        environment = try IntegrationEnvironment()
        binary = try IntegrationEnvironment.sluiceBinary()
    }

    // MARK: - Rejection reports

    @Test func theCSVReportHasEveryRejectedLineOnceWithItsCodesAndOriginalValues() async throws {
        let run = try await SharedRun.shared.get(environment)
        let path = ReportFiles.temporaryPath("csv")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try sluice(["report", "rejections", run.id, "--format", "csv", "--output", path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("wrote \(run.rejectedRows) rejected rows to \(path)"))

        let report = try await CSVFile.read(path)
        #expect(report.header == ["line"] + ReportLayout.leadingColumns + SampleFile.header)
        let expected = try await rejectedLines(run.id)
        #expect(report.rows.count == expected.count)
        #expect(Int64(report.rows.count) == run.rejectedRows)
        #expect(report.rows.map { Int64($0[0])! } == expected.map(\.line), "every rejected line once, in order")
        #expect(report.rows.map { $0[1] } == expected.map(\.codes))

        let sample = try await SampleFile.shared()
        // line, reason_codes, messages, reason_columns, row_iban, row_amount, raw, then the source columns.
        let firstValue = 1 + ReportLayout.leadingColumns.count
        let ibanColumn = firstValue + SampleFile.header.firstIndex(of: "iban")!
        let amountColumn = firstValue + SampleFile.header.firstIndex(of: "amount")!
        var compared = 0
        for row in report.rows {
            let original = try #require(sample.fields[Int64(row[0])!])
            #expect(row[4] == row[ibanColumn], "row_iban repeats the (masked) IBAN, line \(row[0])")
            #expect(row[5] == row[amountColumn], "row_amount repeats the amount, line \(row[0])")
            for (index, field) in original.prefix(SampleFile.header.count).enumerated() {
                let shown = row[firstValue + index]
                if firstValue + index == ibanColumn {
                    #expect(shown == (field.isEmpty ? "" : IBANMask.mask(field)), "line \(row[0])")
                } else {
                    #expect(shown == IBANTextMasker.mask(field), "line \(row[0]) column \(SampleFile.header[index])")
                }
                compared += 1
            }
            #expect(!row[6].isEmpty, "the raw record is always there")
        }
        #expect(compared >= report.rows.count * 10)
        // No clear IBAN of a rejected row is anywhere in the masked report.
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let clearIBANs = report.rows.compactMap { sample.fields[Int64($0[0])!]?[ibanColumn - firstValue] }.filter { $0.count >= 15 }
        #expect(!clearIBANs.isEmpty)
        #expect(clearIBANs.allSatisfy { !text.contains($0) })
    }

    @Test func unmaskedReportsShowTheFilesIBANs() async throws {
        let run = try await SharedRun.shared.get(environment)
        let path = ReportFiles.temporaryPath("csv")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try sluice(["report", "rejections", String(run.id.prefix(13)), "--output", path, "--unmasked"])
        #expect(result.status == 0, "a unique prefix of the run id is enough: \(result.stderr)")
        let report = try await CSVFile.read(path)
        let sample = try await SampleFile.shared()
        let ibanIndex = SampleFile.header.firstIndex(of: "iban")!
        let firstValue = 1 + ReportLayout.leadingColumns.count
        for row in report.rows {
            let original = try #require(sample.fields[Int64(row[0])!])
            #expect(Array(row[firstValue..<firstValue + SampleFile.header.count]) == Array(original.prefix(SampleFile.header.count)))
            #expect(row[firstValue + ibanIndex] == original[ibanIndex])
            #expect(row[4] == original[ibanIndex], "row_iban in clear too")
        }
    }

    @Test func theXLSXReportHasFrozenHeaderFilterWidthsHighlightsAndSummary() async throws {
        let run = try await SharedRun.shared.get(environment)
        let path = ReportFiles.temporaryPath("xlsx")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try sluice(["report", "rejections", run.id, "--output", path])
        #expect(result.status == 0, "the format follows the .xlsx extension: \(result.stderr)")
        #expect(try ReportFiles.isValidZip(path))
        let sheet = try ReportFiles.unzip(path, part: "xl/worksheets/sheet1.xml")
        let lastRow = run.rejectedRows + 1
        // line, reason_codes, messages, reason_columns, row_iban, row_amount, raw, 14 source columns: A…U.
        #expect(sheet.contains(#"<autoFilter ref="A1:U\#(lastRow)"/>"#))
        #expect(sheet.contains(#"state="frozen""#))
        #expect(sheet.contains("<cols>"))
        #expect(sheet.components(separatedBy: "<row r=").count - 1 == Int(lastRow))

        // The IBAN cell (column L, and row_iban in E) of every iban.checksum row is filled; its
        // amount cell (N, and row_amount in F) is not.
        let lines = try await rejectedLines(run.id)
        let checksumRows = lines.enumerated().filter { $0.element.codes == "iban.checksum" }.map { $0.offset + 2 }
        #expect(checksumRows.count == 98)
        for row in checksumRows {
            #expect(sheet.contains(#"<c r="L\#(row)" s="2" t="inlineStr">"#), "row \(row)")
            #expect(sheet.contains(#"<c r="E\#(row)" s="2" t="inlineStr">"#), "row \(row)")
            #expect(!sheet.contains(#"<c r="N\#(row)" s="2""#), "row \(row)")
            #expect(!sheet.contains(#"<c r="F\#(row)" s="2""#), "row \(row)")
        }
        let sample = try await SampleFile.shared()
        let ibanIndex = SampleFile.header.firstIndex(of: "iban")!
        let clearIBANs = lines.compactMap { sample.fields[$0.line]?[ibanIndex] }.filter { $0.count >= 15 }
        #expect(clearIBANs.allSatisfy { !sheet.contains($0) }, "IBANs are masked")

        let summary = try ReportFiles.unzip(path, part: "xl/worksheets/sheet2.xml")
        #expect(summary.contains("<t>rejections_by_reason</t>"))
        #expect(summary.contains("<t>iban.checksum</t>"))
    }

    /// The project's own XLSX reader reads the XLSX report back to exactly the CSV report's
    /// records: same header, same cells, the reader's cell text (line numbers as `15`).
    @Test func theXLSXReportReadsBackWithSluicesOwnReaderAsTheCSVReport() async throws {
        let run = try await SharedRun.shared.get(environment)
        let xlsx = ReportFiles.temporaryPath("xlsx")
        let csv = ReportFiles.temporaryPath("csv")
        defer {
            try? FileManager.default.removeItem(atPath: xlsx)
            try? FileManager.default.removeItem(atPath: csv)
        }
        #expect(try sluice(["report", "rejections", run.id, "--format", "xlsx", "--output", xlsx]).status == 0)
        #expect(try sluice(["report", "rejections", run.id, "--format", "csv", "--output", csv]).status == 0)
        let fromXLSX = try sluice(["inspect", xlsx, "--format", "jsonl"])
        let fromCSV = try sluice(["inspect", csv, "--format", "jsonl"])
        #expect(fromXLSX.status == 0, "\(fromXLSX.stderr)")
        let xlsxLines = fromXLSX.stdout.split(separator: "\n")
        #expect(xlsxLines.count == Int(run.rejectedRows) + 1)
        #expect(xlsxLines.first?.hasPrefix(#"["line","reason_codes","messages","reason_columns","row_iban","row_amount","raw","external_id","first_name""#) == true)
        #expect(xlsxLines.first?.hasSuffix(#""postcode","country"]"#) == true)
        #expect(xlsxLines == fromCSV.stdout.split(separator: "\n"))
        // The first sheet is read by default; the summary sheet by name.
        let summary = try sluice(["inspect", xlsx, "--sheet", "Summary", "--format", "jsonl"])
        #expect(summary.status == 0)
        #expect(summary.stdout.hasPrefix(#"["section","key","value"]"#))
        #expect(summary.stdout.contains(#"["run","status","completed"]"#), "\(summary.stdout)")
    }

    /// Rows of a Windows-1252 file are stored as UTF-8 text, so their report shows the letters.
    @Test func aWindows1252FilesReportShowsItsLetters() async throws {
        let spec = try environment.pipeline(encoding: "windows-1252")
        let summary = try await environment.runner().run(spec, input: IntegrationEnvironment.path("Samples/debtors-1k-cp1252.csv"))
        let csv = ReportFiles.temporaryPath("csv")
        defer { try? FileManager.default.removeItem(atPath: csv) }
        #expect(try sluice(["report", "rejections", summary.run.idText, "--format", "csv", "--output", csv]).status == 0)
        let text = try String(contentsOfFile: csv, encoding: .utf8)
        #expect(!text.contains("\u{FFFD}"))
        #expect(text.contains("ß") && text.contains("ö"))
    }

    @Test func theSummaryMatchesTheRunsCounters() async throws {
        let run = try await SharedRun.shared.get(environment)
        let result = try sluice(["report", "summary", run.id, "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        // Read as a user of the JSON reads it: the documented keys (docs/reports.md).
        struct SummaryJSON: Decodable {
            var rowsRead, rowsAccepted, rowsRejected, batches: Int64
            var rejectionsByReason, rejectionsByStage: [String: Int64]
            var status: RunStatus
            var timings: [String: Double]
            var startedAt: Date
            var durationSeconds: Double?
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let summary = try decoder.decode(SummaryJSON.self, from: Data(result.stdout.utf8))
        let counters = try await environment.integers("""
            SELECT rows_read FROM sluice.runs WHERE id = '\(run.id)' UNION ALL SELECT rows_accepted FROM sluice.runs WHERE id = '\(run.id)'
            UNION ALL SELECT rows_rejected FROM sluice.runs WHERE id = '\(run.id)' UNION ALL SELECT batches FROM sluice.runs WHERE id = '\(run.id)'
            """)
        #expect([summary.rowsRead, summary.rowsAccepted, summary.rowsRejected, summary.batches] == counters)
        let manifest = try Manifest.load(IntegrationEnvironment.path("Samples/debtors-10k.manifest.json"))
        #expect(summary.rejectionsByReason == manifest.expectedRejections)
        var byStage: [String: Int64] = [:]
        for (code, count) in manifest.expectedRejections { byStage[ReasonCode(code).stage.rawValue, default: 0] += count }
        #expect(summary.rejectionsByStage == byStage)
        #expect(byStage == ["map": 184, "validate": 723, "parse": 23, "dedup": 99], "*.required is the mapping stage's, encoding.* parsing's")
        #expect(summary.status == .completed)
        #expect(!summary.timings.isEmpty)
        #expect(summary.durationSeconds != nil)

        let text = try sluice(["report", "summary", run.id])
        #expect(text.stdout.contains("Rejections by reason"))
        #expect(text.stdout.contains("iban.checksum"))
        let csv = try sluice(["report", "summary", run.id, "--format", "csv"])
        #expect(csv.stdout.contains("rows,rejected,\(run.rejectedRows)\r\n"))
    }

    @Test func uploadPutsTheReportNextToTheSourceObject() async throws {
        let run = try await SharedRun.shared.get(environment)
        let result = try sluice(["report", "rejections", run.id, "--format", "xlsx", "--upload"])
        #expect(result.status == 0, "\(result.stderr)")
        let source = try S3URL(parsing: run.input)
        let key = "\(source.key).rejections.\(run.id.prefix(8)).xlsx"
        #expect(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "s3://\(source.bucket)/\(key)")
        let head = try await environment.s3Client().headObject(bucket: source.bucket, key: key)
        #expect(head.size > 10_000)
        #expect(head.contentType == ReportFormat.xlsx.contentType)
    }

    // MARK: - Edge cases and errors

    @Test(arguments: ["Samples/edge/ragged.csv", "Samples/edge/invalid-utf8.csv", "Samples/edge/unterminated-quote.csv"])
    func malformedRecordsKeepTheirRawText(file: String) async throws {
        let summary = try await environment.runner().run(try environment.pipeline(), input: IntegrationEnvironment.path(file))
        for format in ["csv", "xlsx"] {
            let path = ReportFiles.temporaryPath(format)
            defer { try? FileManager.default.removeItem(atPath: path) }
            let result = try sluice(["report", "rejections", summary.run.idText, "--format", format, "--output", path])
            #expect(result.status == 0, "\(file) \(format): \(result.stderr)")
            if format == "csv" {
                let report = try await CSVFile.read(path)
                #expect(Int64(report.rows.count) == summary.run.counters.rowsRejected)
                #expect(report.rows.allSatisfy { !$0[6].isEmpty }, "raw, after the reasons")
            } else {
                #expect(try ReportFiles.isValidZip(path))
            }
        }
    }

    @Test func aRunWithoutRejectionsGivesAHeaderOnlyReport() async throws {
        let summary = try await environment.runner().run(try environment.pipeline(), input: IntegrationEnvironment.path("Samples/edge/pipe.csv"))
        #expect(summary.run.counters.rowsRejected == 0)
        let path = ReportFiles.temporaryPath("csv")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try sluice(["report", "rejections", summary.run.idText, "--output", path])
        #expect(result.status == 0)
        let lines = try String(contentsOfFile: path, encoding: .utf8).components(separatedBy: "\r\n")
        #expect(lines.count == 2 && lines[0].hasPrefix("line,reason_codes,messages,reason_columns,row_iban,row_amount,raw,") && lines[1].isEmpty)
    }

    @Test func errorsNameTheProblemAndUseTheDocumentedExitCodes() async throws {
        let unknown = try sluice(["report", "rejections", UUID().uuidString, "--output", "/tmp/x.csv"])
        #expect(unknown.status == 7)
        #expect(unknown.stderr.contains("no run with id"))

        let run = try await SharedRun.shared.get(environment)
        let badPath = "/nonexistent-\(UUID())/report.csv"
        let unwritable = try sluice(["report", "rejections", run.id, "--output", badPath])
        #expect(unwritable.status == 4)
        #expect(unwritable.stderr.contains(badPath))

        let local = try await environment.runner().run(try environment.pipeline(), input: IntegrationEnvironment.path("Samples/edge/ragged.csv"))
        let upload = try sluice(["report", "rejections", local.run.idText, "--upload"])
        #expect(upload.status == 4)
        #expect(upload.stderr.contains("--upload needs a run of an S3 object"))

        let notAnID = try sluice(["report", "summary", "not-a-run"])
        #expect(notAnID.status == 4)
    }

    // MARK: - Constant memory

    /// The report process's peak RSS does not grow with the number of rejections: 10× the
    /// rows costs at most a few MB more. (scripts/bench_report.sh measures 1M.)
    @Test func reportsAreWrittenInConstantMemory() async throws {
        let small = try await SyntheticRun.create(rejections: 10_000, environment: environment)
        let large = try await SyntheticRun.create(rejections: 100_000, environment: environment)
        for format in ["csv", "xlsx"] {
            let smallPeak = try peakRSS(["report", "rejections", small, "--format", format, "--output", ReportFiles.temporaryPath(format)])
            let largePeak = try peakRSS(["report", "rejections", large, "--format", format, "--output", ReportFiles.temporaryPath(format)])
            #expect(largePeak < smallPeak + 16_384, "\(format): \(smallPeak) KB for 10k rows, \(largePeak) KB for 100k rows")
        }
        try await SyntheticRun.delete([small, large], environment: environment)
    }

    // MARK: - Helpers

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs the `sluice` binary; output goes through files, so a large output cannot block it.
    func sluice(_ arguments: [String], executable: String? = nil, prefix: [String] = []) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable ?? binary)
        process.arguments = prefix + arguments
        let out = ReportFiles.temporaryPath("out")
        let err = ReportFiles.temporaryPath("err")
        _ = FileManager.default.createFile(atPath: out, contents: nil)
        _ = FileManager.default.createFile(atPath: err, contents: nil)
        defer {
            try? FileManager.default.removeItem(atPath: out)
            try? FileManager.default.removeItem(atPath: err)
        }
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: err))
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: try ReportFiles.text(out), stderr: try ReportFiles.text(err))
    }

    /// Peak RSS in KB of `sluice arguments`, from GNU time.
    func peakRSS(_ arguments: [String]) throws -> Int {
        let timeOutput = ReportFiles.temporaryPath("time")
        defer {
            try? FileManager.default.removeItem(atPath: timeOutput)
            if let output = arguments.last { try? FileManager.default.removeItem(atPath: output) }
        }
        let result = try sluice(arguments, executable: "/usr/bin/time", prefix: ["-f", "%M", "-o", timeOutput, binary])
        #expect(result.status == 0, "\(result.stderr)")
        return Int(try ReportFiles.text(timeOutput).trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").last ?? "") ?? 0
    }

    /// The run's rejected rows from the database: line and codes in the order they were recorded.
    func rejectedLines(_ runID: String) async throws -> [(line: Int64, codes: String)] {
        try await environment.withConnection { connection in
            var result: [(Int64, String)] = []
            let rows = try await connection.query(PostgresQuery(unsafeSQL: """
                SELECT line, string_agg(code, '; ' ORDER BY ctid) FROM sluice.rejections WHERE run_id = '\(runID)'
                GROUP BY batch_seq, line ORDER BY line, batch_seq
                """), logger: environment.logger)
            for try await row in rows.decode((Int64, String).self) { result.append(row) }
            return result
        }
    }
}

/// The one run of `debtors-10k.csv` from S3 that most report tests read.
actor SharedRun {
    static let shared = SharedRun()
    private var run: (id: String, input: String, rejectedRows: Int64)?

    func get(_ environment: IntegrationEnvironment) async throws -> (id: String, input: String, rejectedRows: Int64) {
        if let run { return run }
        let input = try await environment.upload(IntegrationEnvironment.path("Samples/debtors-10k.csv"), key: "it/\(UUID())/incoming/debtors-10k.csv")
        let summary = try await environment.runner().run(try environment.pipeline(batchSize: 1500), input: input)
        let created = (summary.run.idText, input, summary.run.counters.rowsRejected)
        run = created
        return created
    }
}

/// `Samples/debtors-10k.csv` decoded with the project's CSV decoder, by line.
actor SampleFile {
    static let header = ["external_id", "first_name", "last_name", "email", "iban", "bic", "amount", "currency",
                         "mandate_id", "mandate_date", "address", "city", "postcode", "country"]
    private static let instance = SampleFile()
    private var cached: CSVFile?

    static func shared() async throws -> CSVFile {
        try await instance.load()
    }

    private func load() async throws -> CSVFile {
        if let cached { return cached }
        let file = try await CSVFile.read(IntegrationEnvironment.path("Samples/debtors-10k.csv"))
        cached = file
        return file
    }
}

/// A CSV file read with `CSVDecoder`: header, rows and each row's fields by line.
struct CSVFile: Sendable {
    var header: [String]
    var rows: [[String]]
    var fields: [Int64: [String]]

    static func read(_ path: String) async throws -> CSVFile {
        let source = LocalFileSource(path: path)
        var decoder = CSVDecoder(source: source, object: try await source.describe())
        let header = try await decoder.readHeader().fields
        var rows: [[String]] = []
        var fields: [Int64: [String]] = [:]
        while let batch = try await decoder.nextBatch() {
            for row in 0..<batch.rowCount {
                let values = (0..<batch.fieldCount(ofRow: row)).map { batch.text(row: row, field: $0) }
                rows.append(values)
                fields[batch.lines[row]] = values
            }
        }
        return CSVFile(header: header, rows: rows, fields: fields)
    }
}
