import Foundation

/// The generated input files every suite reads, made once in the system's temporary folder
/// and reused by later runs (they are deterministic for a row count and seed).
///
/// CSV: `scripts/generate_debtors.py`, the shape of a real debtor file, with its ~5% of
/// injected defects and some duplicate rows. XLSX: `scripts/generate_xlsx_bench.py`, 14 clean
/// columns as `make bench-xlsx` uses, with inline strings or a shared strings table.
public enum DebtorFile {
    /// Rows of the CSV input: the same file as the CSVTokenizer suite (≈ 64 MB).
    public static let csvRows = 400_000
    public static let csvSeed = 7
    /// Rows of the XLSX inputs: fewer, since the generator is Python and XLSX decodes slower.
    public static let xlsxRows = 100_000

    /// How an XLSX input stores its strings.
    public enum StringStorage: String, Sendable {
        /// In each cell (`t="inlineStr"`), as xlsxwriter's constant-memory mode writes them.
        case inline
        /// In `xl/sharedStrings.xml`, as Excel writes them.
        case shared
    }

    /// The bytes of the generated CSV file (`SLUICE_BENCH_CSV` names another file instead).
    public static func csv() throws -> (bytes: [UInt8], path: String) {
        var path = ProcessInfo.processInfo.environment["SLUICE_BENCH_CSV"] ?? ""
        if path.isEmpty {
            path = try generated("sluice-bench-debtors-\(csvRows)-seed\(csvSeed).csv") { output in
                ["python3", script("generate_debtors.py"), "--rows", "\(csvRows)", "--seed", "\(csvSeed)", "--quiet", "--output", output]
            }
        }
        return (try read(path), path)
    }

    /// The bytes of a generated workbook of `xlsxRows` rows.
    public static func xlsx(_ storage: StringStorage) throws -> (bytes: [UInt8], path: String) {
        let path = try generated("sluice-bench-debtors-\(xlsxRows)-\(storage.rawValue).xlsx") { output in
            switch storage {
            case .inline:
                return ["python3", script("generate_xlsx_bench.py"), "--rows", "\(xlsxRows)", "--output", output]
            case .shared:
                // The generator writes shared-strings files only under Samples/generated; its
                // function takes any path.
                let code = "import sys; sys.path.insert(0, sys.argv[1]); import generate_xlsx_bench as g; g.shared_file(sys.argv[2], int(sys.argv[3]))"
                return ["python3", "-c", code, scriptsFolder, output, "\(xlsxRows)"]
            }
        }
        return (try read(path), path)
    }

    static var scriptsFolder: String {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()  // SluiceBenchmarkInputs
            .deletingLastPathComponent()  // Sources
            .deletingLastPathComponent()  // Benchmarks (package)
            .deletingLastPathComponent()  // repository
            .appendingPathComponent("scripts").path
    }

    static func script(_ name: String) -> String { scriptsFolder + "/" + name }

    static func read(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// The path of `name` in the temporary folder, made by `command(partialPath)` when missing.
    static func generated(_ name: String, command: (String) -> [String]) throws -> String {
        let path = NSTemporaryDirectory() + name
        if FileManager.default.fileExists(atPath: path) { return path }
        // A partial file of our own, moved into place when complete, so that an interrupted
        // run leaves nothing that a later run would take for a finished input.
        let partial = path + ".partial-\(ProcessInfo.processInfo.processIdentifier)"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command(partial)
        FileHandle.standardError.write(Data("generating \(path)...\n".utf8))
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            try? FileManager.default.removeItem(atPath: partial)
            throw BenchmarkInputError("\(process.arguments!.joined(separator: " ")) exited with \(process.terminationStatus)")
        }
        if FileManager.default.fileExists(atPath: path) {
            try? FileManager.default.removeItem(atPath: partial)
        } else {
            try FileManager.default.moveItem(atPath: partial, toPath: path)
        }
        return path
    }
}

/// Why a benchmark's input could not be prepared.
public struct BenchmarkInputError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Writes a line about a suite's input to standard error, out of package-benchmark's tables.
public func note(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
