import ArgumentParser
import SluiceReports

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

    @OptionGroup var options: ReportOutputOptions

    @Flag(name: .long, help: "Also list the rows that were not verified (not_sampled, over_budget).")
    var includeUnverified = false

    func run() async throws {
        let format = options.resolvedFormat
        try await options.writeReport("vop", of: runID, rowsNoun: "VOP checks") { context, path in
            let writer: any VOPReportWriter = switch format {
            case .csv: try path.map { try CSVVOPReportWriter(path: $0) } ?? CSVVOPReportWriter.standardOutput()
            case .xlsx: try XLSXVOPReportWriter(path: path!)
            }
            try await context.source.writeVOPChecks(includeUnverified: includeUnverified, to: writer)
            try writer.finish(summary: format == .xlsx ? try await context.summary() : nil)
            return (writer.rowsWritten, writer.notes)
        }
    }
}
