import ArgumentParser
import Foundation
import SluiceCore
import SluiceReports

#if canImport(Glibc)
import Glibc
#endif

struct ReportVOPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vop",
        abstract: "Write a run's payee-verification checks: name sent, masked IBAN, outcome, who answered, decision.",
        discussion: """
            The report streams from the database in constant memory, to --output or to stdout. \
            Only verified checks are listed unless --include-unverified is given (rows not \
            sampled or over the call budget). An XLSX report needs --output when stdout is a terminal.
            """
    )

    @Argument(help: "The run id, or a unique prefix of it (see `sluice runs`).")
    var runID: String

    @Option(name: .long, help: "csv or xlsx; by default from the --output extension, else csv.")
    var format: ReportFormat?

    @Option(name: .shortAndLong, help: "The report file to write; stdout when not given.")
    var output: String?

    @Flag(name: .long, help: "Also list the rows that were not verified (not_sampled, over_budget).")
    var includeUnverified = false

    @Flag(name: .shortAndLong, help: "Log debug messages to stderr.")
    var verbose = false

    var resolvedFormat: ReportFormat {
        if let format { return format }
        if let output, let inferred = ReportFormat(rawValue: URL(fileURLWithPath: output).pathExtension.lowercased()) { return inferred }
        return .csv
    }

    func validate() throws {
        if output == nil, resolvedFormat == .xlsx, isatty(STDOUT_FILENO) == 1 {
            throw ValidationError("an XLSX report is binary: give --output FILE, or redirect stdout")
        }
    }

    func run() async throws {
        let logger = Environment.logger(verbose: verbose)
        try await reportingErrors {
            let format = resolvedFormat
            // An XLSX workbook is a zip with its directory at the end: it is written to a file,
            // and that file copied to stdout when no --output is given.
            let temporary = output == nil && format == .xlsx
                ? FileManager.default.temporaryDirectory.appendingPathComponent("sluice-vop-\(UUID().uuidString).xlsx").path : nil
            defer { if let temporary { try? FileManager.default.removeItem(atPath: temporary) } }
            let (rows, notes) = try await ReportContext.with(runID: runID, logger: logger) { context in
                let writer: any VOPReportWriter = switch format {
                case .csv: try output.map { try CSVVOPReportWriter(path: $0) } ?? CSVVOPReportWriter.standardOutput()
                case .xlsx: try XLSXVOPReportWriter(path: output ?? temporary!)
                }
                try await context.source.writeVOPChecks(includeUnverified: includeUnverified, to: writer)
                try writer.finish(summary: format == .xlsx ? try await context.summary() : nil)
                return (writer.rowsWritten, writer.notes)
            }
            if let temporary { try copyToStandardOutput(temporary) }
            if let output { Terminal.printError("wrote \(rows) VOP checks to \(output)") }
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
