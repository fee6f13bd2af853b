import Foundation
import SluiceCore
import SluicePipeline
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// XLSX end to end: `sluice inspect` on the writer fixtures, and `sluice run` of a workbook
/// on S3 into PostgreSQL, with rejections by sheet row and a resume at a sheet row.
@Suite(.serialized)
struct XLSXRunTests {
    let environment: IntegrationEnvironment
    let binary: String

    init() throws {
        environment = try IntegrationEnvironment()
        binary = try IntegrationEnvironment.sluiceBinary()
    }

    /// Runs the binary; stdout as text and the exit status.
    func sluice(_ arguments: [String]) throws -> (output: String, status: Int32) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (String(decoding: data, as: UTF8.self), process.terminationStatus)
    }

    static let fixtures: [(String, String?, String)] = [
        ("xlsxwriter-normal.xlsx", nil, "xlsxwriter-normal.expected.jsonl"),
        ("xlsxwriter-normal.xlsx", "Second", "xlsxwriter-normal.Second.expected.jsonl"),
        ("xlsxwriter-constant-memory.xlsx", nil, "xlsxwriter-constant-memory.expected.jsonl"),
        ("openpyxl.xlsx", nil, "openpyxl.expected.jsonl"),
        ("openpyxl.xlsx", "2", "openpyxl.Other.expected.jsonl"),
        ("openpyxl-1904.xlsx", nil, "openpyxl-1904.expected.jsonl"),
        ("pandas.xlsx", nil, "pandas.expected.jsonl"),
        ("libreoffice.xlsx", nil, "libreoffice.expected.jsonl"),
        ("libxlsxwriter.xlsx", nil, "libxlsxwriter.expected.jsonl"),
        ("edge-cases.xlsx", nil, "edge-cases.expected.jsonl"),
        ("date1904.xlsx", nil, "date1904.expected.jsonl"),
    ]

    @Test(arguments: fixtures)
    func inspectPrintsTheExpectedCellText(file: String, sheet: String?, expected: String) throws {
        var arguments = ["inspect", "--format", "jsonl", IntegrationEnvironment.path("Samples/xlsx/\(file)")]
        if let sheet { arguments += ["--sheet", sheet] }
        let (output, status) = try sluice(arguments)
        #expect(status == 0)
        #expect(output == (try String(contentsOfFile: IntegrationEnvironment.path("Samples/xlsx/\(expected)"), encoding: .utf8)))
    }

    @Test func inspectReadsAWorkbookFromS3() async throws {
        let (output, status) = try sluice(["inspect", "--format", "jsonl", IntegrationEnvironment.path("Samples/xlsx/libxlsxwriter.xlsx")])
        #expect(status == 0)
        let input = try await environment.upload(IntegrationEnvironment.path("Samples/xlsx/libxlsxwriter.xlsx"), key: "it/\(UUID())/ledger.xlsx")
        let (remote, remoteStatus) = try sluice(["inspect", "--format", "jsonl", input])
        #expect(remoteStatus == 0)
        #expect(remote == output)
    }

    @Test func hostileFilesFailInspectWithAReason() throws {
        let (_, status) = try sluice(["inspect", IntegrationEnvironment.path("Samples/xlsx/hostile/xxe.xlsx")])
        #expect(status != 0)
    }

    // MARK: - sluice run

    struct Fixture {
        var input: String
        var pipelinePath: String
        var pipeline: String
        var table: String
        var rows: Int
        var errorLines: [Int64]
        var badIBANLines: [Int64]
        var rejected: Int64 { Int64(errorLines.count + badIBANLines.count) }
        var accepted: Int64 { Int64(rows) - rejected }
    }

    /// A generated workbook on S3 with error cells and wrong IBANs at known sheet rows.
    func fixture(rows: Int, errorEvery: Int = 250, badIBANEvery: Int = 97) async throws -> Fixture {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-xlsx-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent("debtors.xlsx").path
        try IntegrationEnvironment.run("/usr/bin/env", [
            "python3", IntegrationEnvironment.path("scripts/generate_xlsx_bench.py"), "--rows", "\(rows)", "--output", file,
            "--bad-iban-every", "\(badIBANEvery)", "--error-cell-every", "\(errorEvery)",
        ])
        let input = try await environment.upload(file, key: "it/\(UUID())/debtors-\(rows).xlsx")
        let name = IntegrationEnvironment.uniqueName("xlsx")
        var yaml = try String(contentsOfFile: IntegrationEnvironment.path("pipelines/debtors.yaml"), encoding: .utf8)
        yaml = yaml.replacingOccurrences(of: "name: debtors", with: "name: \(name)")
        yaml = yaml.replacingOccurrences(of: "table: sluice.debtors", with: "table: sluice_it.\(name)")
        yaml = yaml.replacingOccurrences(of: "format: csv", with: "format: auto")
        yaml += IntegrationEnvironment.withoutScreening
        let pipelinePath = directory.appendingPathComponent("\(name).yaml").path
        try yaml.write(toFile: pipelinePath, atomically: true, encoding: .utf8)
        // Sheet row = data index + 2 (the header is row 1).
        let errorLines = (0..<rows).filter { $0 % errorEvery == errorEvery - 1 }.map { Int64($0 + 2) }
        let badLines = (0..<rows).filter { $0 % badIBANEvery == badIBANEvery / 2 && $0 % errorEvery != errorEvery - 1 }.map { Int64($0 + 2) }
        return Fixture(input: input, pipelinePath: pipelinePath, pipeline: name, table: "sluice_it.\(name)", rows: rows,
                       errorLines: errorLines, badIBANLines: badLines)
    }

    @Test func aWorkbookOnS3IsLoadedWithRejectionsBySheetRow() async throws {
        let fixture = try await fixture(rows: 3000)
        let spec = try PipelineSpec.parse(yaml: try String(contentsOfFile: fixture.pipelinePath, encoding: .utf8), path: fixture.pipelinePath)
        let summary = try await environment.runner().run(spec, input: fixture.input, options: RunOptions(batchSize: 700))
        #expect(summary.run.status == .completed)
        #expect(summary.run.counters.rowsRead == Int64(fixture.rows))
        #expect(summary.run.counters.rejectedByReason == ["xlsx.error_cell": Int64(fixture.errorLines.count), "iban.checksum": Int64(fixture.badIBANLines.count)])
        #expect(summary.run.counters.batches == 5)
        #expect(try await environment.scalar("SELECT count(*) FROM \(fixture.table)") == fixture.accepted)
        #expect(try await environment.scalar("SELECT min(source_line) FROM \(fixture.table)") == 2)
        let lastAccepted = Set(2...Int64(fixture.rows + 1)).subtracting(fixture.errorLines + fixture.badIBANLines).max()
        #expect(try await environment.scalar("SELECT max(source_line) FROM \(fixture.table)") == lastAccepted)
        let errorLines = try await environment.integers(
            "SELECT line FROM sluice.rejections WHERE run_id = '\(summary.run.idText)' AND code = 'xlsx.error_cell' ORDER BY line")
        #expect(errorLines == fixture.errorLines)
        let ibanLines = try await environment.integers(
            "SELECT line FROM sluice.rejections WHERE run_id = '\(summary.run.idText)' AND code = 'iban.checksum' ORDER BY line")
        #expect(ibanLines == fixture.badIBANLines)
        // The values land in their columns (the raw record as CSV is `sluice source`'s, see
        // SourceCommandTests), and the run records the sheet it read.
        #expect(try await environment.scalar("SELECT count(*) FROM \(fixture.table) WHERE external_id = 'EXT-00000001' AND source_line = 2") == 1)
        #expect(try await environment.scalar("SELECT count(*) FROM sluice.runs WHERE id = '\(summary.run.idText)' AND source_format = 'xlsx' AND source_sheet = 'Debtors'") == 1)
    }

    @Test func aKilledRunResumesAtASheetRowAndLoadsEveryRowOnce() async throws {
        let fixture = try await fixture(rows: 40_000)
        let batchSize = 250
        let totalBatches = Int64((fixture.rows + batchSize - 1) / batchSize)
        func committed() async throws -> Int64 {
            try await environment.scalar("""
                SELECT count(*) FROM sluice.run_checkpoints c JOIN sluice.runs r ON r.id = c.run_id WHERE r.pipeline = '\(fixture.pipeline)'
                """)
        }
        func start() throws -> Process {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = ["run", fixture.pipelinePath, "--input", fixture.input, "--batch-size", "\(batchSize)", "--no-progress", "--json"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            return process
        }
        let first = try start()
        let deadline = ContinuousClock.now + .seconds(120)
        while first.isRunning, ContinuousClock.now < deadline, try await committed() < totalBatches / 3 {
            try await Task.sleep(for: .milliseconds(5))
        }
        let killed = first.isRunning
        if killed { kill(first.processIdentifier, SIGKILL) }
        first.waitUntilExit()
        #expect(killed, "the run finished before it could be killed; make the file larger")
        #expect(try await committed() < totalBatches)

        let final = try start()
        final.waitUntilExit()
        #expect(final.terminationStatus == 0)
        #expect(try await committed() == totalBatches)
        #expect(try await environment.scalar("SELECT count(*) FROM \(fixture.table)") == fixture.accepted)
        #expect(try await environment.scalar("SELECT count(DISTINCT source_line) FROM \(fixture.table)") == fixture.accepted)
        let runID = "(SELECT id FROM sluice.runs WHERE pipeline = '\(fixture.pipeline)')"
        #expect(try await environment.scalar("SELECT count(*) FROM sluice.rejections WHERE run_id = \(runID)") == fixture.rejected)
        #expect(try await environment.scalar("SELECT rows_read FROM sluice.runs WHERE pipeline = '\(fixture.pipeline)'") == Int64(fixture.rows))
        #expect(try await environment.scalar("SELECT attempts FROM sluice.runs WHERE pipeline = '\(fixture.pipeline)'") == 2)
    }
}
