import Foundation
import SluiceCore
import SluiceTestSupport
import Testing

/// Sluice as a hostile user would try it (issue 9): every refusal and odd input, through the
/// real binary on the real stack. Each case checks the exit code, the message, and that
/// nothing was loaded where nothing should be (or exactly what should be, where it loads).
@Suite(.serialized)
struct HostileInputTests {
    /// One hostile input and what Sluice must do with it.
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        /// Writes the input file into the folder and returns its path (or a path that is not there).
        var input: @Sendable (String) throws -> String
        /// YAML appended to the test pipeline, or a replacement of one of its lines.
        var pipelineExtra: String = ""
        var pipelineReplace: [String: String] = [:]
        /// Arguments after `run PIPELINE --input INPUT`.
        var arguments: [String] = []
        /// Replaces the pipeline path (a missing file).
        var pipelinePath: String?
        var status: Int32
        /// Texts the output (stderr, then stdout) must contain.
        var says: [String]
        /// Rows that must be in the target table afterwards (0: nothing loaded).
        var loaded: Int64?
        /// Rejected rows the run must count, when it runs.
        var rejected: Int64?

        var testDescription: String { name }
    }

    static let header = "external_id,first_name,last_name,iban,amount\n"
    static func row(_ number: Int) -> String { "X\(number),Anna,Schmidt,DE89370400440532013000,\(number % 90 + 10).00\n" }
    static func rows(_ count: Int) -> String { (1...count).map(row).joined() }

    static func write(_ bytes: [UInt8], _ name: String) -> @Sendable (String) throws -> String {
        { folder in
            let path = folder + "/" + name
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            return path
        }
    }

    static func text(_ text: String, _ name: String = "input.csv") -> @Sendable (String) throws -> String {
        write(Array(text.utf8), name)
    }

    static func sample(_ relative: String) -> @Sendable (String) throws -> String {
        { _ in IntegrationEnvironment.path(relative) }
    }

    static func utf16LE(_ text: String) -> [UInt8] {
        [0xFF, 0xFE] + text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
    }

    /// Deterministic garbage: every byte value, NULs included.
    static let garbage: [UInt8] = {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        return (0..<65_536).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
    }()

    static let cases: [Case] = [
        Case(name: "empty file", input: text(""), status: 4, says: ["the file is empty"], loaded: 0),
        Case(name: "header only", input: text(header), status: 0, says: ["completed"], loaded: 0, rejected: 0),
        Case(name: "binary garbage", input: write(garbage, "garbage.csv"), status: 4, says: ["garbage.csv"], loaded: 0),
        Case(name: "a 50 MB field without a newline",
             input: { folder in
                 let path = folder + "/long-field.csv"
                 var bytes = Array((header + rows(3)).utf8)
                 bytes += Array("X9,Anna,\"".utf8) + [UInt8](repeating: UInt8(ascii: "a"), count: 50 << 20)
                 try Data(bytes).write(to: URL(fileURLWithPath: path))
                 return path
             },
             status: 0, says: ["csv.record_too_long"], loaded: 3, rejected: 1),
        Case(name: "20,000 columns",
             input: text("external_id,first_name,last_name,iban,amount," + (1...19_995).map { "c\($0)" }.joined(separator: ",") + "\n"
                         + "X1,Anna,Schmidt,DE89370400440532013000,12.00" + String(repeating: ",v", count: 19_995) + "\n"),
             status: 0, says: ["completed"], loaded: 1, rejected: 0),
        Case(name: "NUL bytes in a row",
             input: write(Array((header + row(1)).utf8) + Array("X2,An".utf8) + [0] + Array("na,Schmidt,DE89370400440532013000,12.00\n".utf8) + Array(row(3).utf8), "nul.csv"),
             status: 0, says: ["encoding.nul_byte"], loaded: 2, rejected: 1),
        Case(name: "mixed line ends",
             input: text(header.replacingOccurrences(of: "\n", with: "\r\n") + row(1) + row(2).replacingOccurrences(of: "\n", with: "\r\n")
                         + row(3).replacingOccurrences(of: "\n", with: "\r") + "\n" + row(4)),
             status: 0, says: ["completed"], loaded: 4, rejected: 0),
        Case(name: "UTF-16 with a BOM", input: write(utf16LE(header + rows(5)), "utf16.csv"),
             status: 0, says: ["UTF-16LE"], loaded: 5, rejected: 0),
        Case(name: "gzip-compressed CSV",
             input: { folder in
                 let plain = folder + "/debtors.csv"
                 try (header + rows(50)).write(toFile: plain, atomically: true, encoding: .utf8)
                 try IntegrationEnvironment.run("/usr/bin/env", ["gzip", "-f", plain])
                 return plain + ".gz"
             },
             status: 0, says: ["gzip"], loaded: 50, rejected: 0),
        Case(name: "zip bomb", input: sample("Samples/xlsx/hostile/bomb-ratio.xlsx"), status: 4, says: ["zip bomb?"], loaded: 0),
        Case(name: "zip bomb lying about its size", input: sample("Samples/xlsx/hostile/bomb-lying-size.xlsx"), status: 4, says: ["inflates to more than"], loaded: 0),
        Case(name: "entity bomb", input: sample("Samples/xlsx/hostile/billion-laughs.xlsx"), status: 4, says: ["DTDs are not allowed"], loaded: 0),
        Case(name: "external entity", input: sample("Samples/xlsx/hostile/xxe.xlsx"), status: 4, says: ["DTDs are not allowed"], loaded: 0),
        Case(name: "path traversal in the workbook", input: sample("Samples/xlsx/hostile/traversal.xlsx"), status: 4, says: ["path traversal"], loaded: 0),
        Case(name: "legacy .xls", input: sample("Samples/xlsx/hostile/legacy.xls"), status: 4, says: ["legacy Excel .xls"], loaded: 0),
        Case(name: "a CSV renamed to .xlsx", input: sample("Samples/xlsx/hostile/renamed-csv.xlsx"), status: 4, says: ["renamed"], loaded: 0),
        Case(name: "a directory as input", input: { folder in folder }, status: 5, says: ["not a regular file"], loaded: 0),
        Case(name: "an input that does not exist", input: { folder in folder + "/nope.csv" }, status: 5, says: ["nope.csv", "cannot open file"], loaded: 0),
        Case(name: "SQL in the table name", input: text(header + rows(2)),
             pipelineReplace: ["table: sluice_it.PIPELINE": "table: \"sluice_it.x; DROP TABLE sluice.runs; --\""],
             status: 4, says: ["target.table"], loaded: nil),
        Case(name: "SQL in a column name", input: text(header + rows(2)),
             pipelineReplace: ["  - name: currency\n": "  - name: \"currency\\\"); DROP TABLE sluice.runs; --\"\n"],
             status: 4, says: ["column name"], loaded: 0),
        Case(name: "SQL in header cells and values",
             input: text("external_id,first_name,last_name,iban,amount,\"x\"\"); DROP TABLE sluice.runs; --\"\n"
                         + "\"X1'); DROP TABLE sluice.runs; --\",Anna,Schmidt,DE89370400440532013000,12.00,\"'; DELETE FROM sluice.runs; --\"\n"),
             status: 0, says: ["completed"], loaded: 1, rejected: 0),
        Case(name: "batch size 0", input: text(header + rows(2)), arguments: ["--batch-size", "0"], status: 4, says: ["--batch-size must be between 1 and 1000000"], loaded: 0),
        Case(name: "batch size two billion", input: text(header + rows(2)), arguments: ["--batch-size", "2000000000"], status: 4, says: ["--batch-size must be between"], loaded: 0),
        Case(name: "negative batch_size in the pipeline", input: text(header + rows(2)),
             pipelineReplace: ["batch_size: 16384": "batch_size: -5"], status: 4, says: ["batch_size"], loaded: 0),
        Case(name: "a misspelled error budget", input: text(header + rows(2)),
             pipelineExtra: "error_budget: {max_rejected_row: 0}\n", status: 4, says: ["error_budget.max_rejected_row", "did you mean"], loaded: 0),
        Case(name: "an unknown top-level key", input: text(header + rows(2)),
             pipelineExtra: "error_budgets: {max_rejected_rows: 0}\n", status: 4, says: ["error_budgets"], loaded: 0),
        Case(name: "a misspelled target key", input: text(header + rows(2)),
             pipelineReplace: ["  keep_raw: false": "  keep_rwa: false"], status: 4, says: ["target.keep_rwa", "keep_raw"], loaded: 0),
        Case(name: "connections: two", input: text(header + rows(2)),
             pipelineReplace: ["  connections: 2": "  connections: two"], status: 4, says: ["target.connections", "two"], loaded: 0),
        Case(name: "a 64-character column name", input: text(header + rows(2)),
             pipelineReplace: ["  - name: currency\n": "  - name: " + String(repeating: "c", count: 64) + "\n"], status: 4, says: ["63"], loaded: 0),
        Case(name: "a missing pipeline file", input: text(header + rows(2)), pipelinePath: "/nonexistent/pipeline.yaml",
             status: 4, says: ["/nonexistent/pipeline.yaml", "not found"], loaded: nil),
        Case(name: "an XLSX sheet numbered downwards", input: write(TinyWorkbook.bytes(rows: [TinyWorkbook.row("9", ["external_id", "first_name", "last_name", "iban", "amount"])]
                + (1...7).map { TinyWorkbook.row(String(9 - $0), ["X\($0)", "Anna", "Schmidt", "DE89370400440532013000", "12.00"]) }), "down.xlsx"),
             status: 0, says: ["completed"], loaded: 7, rejected: 0),
        Case(name: "XLSX rows numbered 0 and below the header", input: write(TinyWorkbook.bytes(rows: [TinyWorkbook.row("10", ["external_id", "first_name", "last_name", "iban", "amount"]),
                TinyWorkbook.row("2", ["X1", "Anna", "Schmidt", "DE89370400440532013000", "12.00"]),
                TinyWorkbook.row("0", ["X2", "Anna", "Schmidt", "DE89370400440532013000", "12.00"])]), "zero.xlsx"),
             status: 0, says: ["xlsx.row_number"], loaded: 1, rejected: 1),
    ]

    @Test(arguments: cases)
    func hostileInput(_ hostile: Case) async throws {
        let environment = try IntegrationEnvironment()
        let cli = try SluiceCLI()
        let folder = NSTemporaryDirectory() + "sluice-hostile-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }

        var missing: [String] = []
        let pipeline = try IntegrationEnvironment.pipelineFile("hostile", in: folder, extra: hostile.pipelineExtra) { name, yaml in
            for (old, new) in hostile.pipelineReplace {
                let target = old.replacingOccurrences(of: "PIPELINE", with: name)
                if !yaml.contains(target) { missing.append(target) }
                yaml = yaml.replacingOccurrences(of: target, with: new)
            }
        }
        #expect(missing.isEmpty, "the shipped pipeline lacks \(missing)")
        let name = pipeline.name
        let pipelinePath = pipeline.path

        let input = try hostile.input(folder)
        let result = try await cli.run(
            ["run", hostile.pipelinePath ?? pipelinePath, "--input", input, "--no-progress"] + hostile.arguments, timeout: .seconds(120))
        let output = result.stderr + result.stdout
        #expect(!result.killed, "\(hostile.name): the run hung or crashed")
        #expect(result.status == hostile.status, "\(hostile.name): exit \(result.status), output: \(output.prefix(2000))")
        for text in hostile.says {
            #expect(output.contains(text), "\(hostile.name): the output should say '\(text)': \(output.prefix(2000))")
        }
        #expect(!output.contains("NSCocoaErrorDomain") && !output.contains("Fatal error"), "\(hostile.name): \(output.prefix(2000))")
        #expect(try await environment.scalar("SELECT count(*) FROM pg_tables WHERE schemaname = 'sluice' AND tablename = 'runs'") == 1)

        let tableExists = try await environment.scalar(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'sluice_it' AND tablename = '\(name)'") == 1
        if let loaded = hostile.loaded {
            let rows = tableExists ? try await environment.scalar("SELECT count(*) FROM sluice_it.\(name)") : 0
            #expect(rows == loaded, "\(hostile.name): \(rows) rows loaded")
        }
        if let rejected = hostile.rejected {
            #expect(try await environment.scalar("SELECT rows_rejected FROM sluice.runs WHERE pipeline = '\(name)'") == rejected)
        }
    }
}
