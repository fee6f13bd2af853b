import ArgumentParser
import Foundation
import SluiceCore
import SluiceReports

#if canImport(Glibc)
import Glibc
#endif

/// The options of a report that goes to a file or to stdout (`sluice report vop`, `billing`),
/// and writing it there.
struct ReportOutputOptions: ParsableArguments {
    @Option(name: .long, help: "csv or xlsx; by default from the --output extension, else csv.")
    var format: ReportFormat?

    @Option(name: .shortAndLong, help: "The report file to write; stdout when not given.")
    var output: String?

    @Flag(name: .shortAndLong, help: "Log debug messages to stderr.")
    var verbose = false

    var resolvedFormat: ReportFormat { .resolved(format, output: output) }

    func validate() throws {
        if output == nil, resolvedFormat == .xlsx, isatty(STDOUT_FILENO) == 1 {
            throw ValidationError("an XLSX report is binary: give --output FILE, or redirect stdout")
        }
    }

    /// Writes a report of run `runID` where the options say, and tells on stderr what it wrote.
    ///
    /// `body` writes the report to `path` (`nil`: a CSV report to stdout) and returns how many
    /// rows it wrote and its notes. An XLSX report without `--output` goes to a temporary
    /// `sluice-<name>-….xlsx`, copied to stdout once `body` returns.
    ///
    /// - Parameter rowsNoun: what the rows are, in `wrote 12 <rowsNoun> to FILE`.
    func writeReport(
        _ name: String, of runID: String, rowsNoun: String,
        _ body: (_ context: ReportContext, _ path: String?) async throws -> (rows: Int, notes: [String])
    ) async throws {
        let logger = Environment.logger(verbose: verbose)
        try await reportingErrors {
            // An XLSX workbook is a zip with its directory at the end: it is written to a file,
            // and that file copied to stdout when no --output is given.
            let temporary = output == nil && resolvedFormat == .xlsx
                ? FileManager.default.temporaryDirectory.appendingPathComponent("sluice-\(name)-\(UUID().uuidString).xlsx").path : nil
            defer { if let temporary { try? FileManager.default.removeItem(atPath: temporary) } }
            let (rows, notes) = try await ReportContext.with(runID: runID, logger: logger) { try await body($0, output ?? temporary) }
            if let temporary { try copyToStandardOutput(temporary) }
            if let output { Terminal.printError("wrote \(rows) \(rowsNoun) to \(output)") }
            for note in notes { Terminal.printError("warning: \(note)") }
        }
    }

    private func copyToStandardOutput(_ path: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw SluiceError(.internalError, "cannot read the report written to \(path)")
        }
        defer { try? handle.close() }
        do {
            while let chunk = try handle.read(upToCount: 256 << 10), !chunk.isEmpty {
                try FileHandle.standardOutput.write(contentsOf: chunk)
            }
        } catch {
            throw SluiceError(.invalidArgument, "cannot write the report to standard output", underlying: error)
        }
    }
}
