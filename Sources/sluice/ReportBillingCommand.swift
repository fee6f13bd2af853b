import ArgumentParser
import SluiceCore
import SluiceReports

struct ReportBillingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "billing",
        abstract: "Write a run's billing: every row's charge attempt and how it stands, or why it was skipped.",
        discussion: """
            The report streams from the database in constant memory, to --output or to stdout: \
            attempts and skipped rows in source-line order, IBANs masked. An XLSX report adds \
            the billing figures to its Summary sheet, and needs --output when stdout is a terminal. \
            A run that was never handed to billing has no report (exit 7).
            """
    )

    @Argument(help: "The run id, or a unique prefix of it (see `sluice runs`).")
    var runID: String

    @OptionGroup var options: ReportOutputOptions

    func run() async throws {
        let format = options.resolvedFormat
        try await options.writeReport("billing", of: runID, rowsNoun: "billing rows") { context, path in
            // Checked before any file is made: an unbilled run leaves nothing behind.
            guard try await context.source.isHandedToBilling() else {
                throw SluiceError(.runNotFound, "run \(context.run.idText) was never handed to billing")
            }
            let writer: any BillingReportWriter = switch format {
            case .csv: try path.map { try CSVBillingReportWriter(path: $0) } ?? CSVBillingReportWriter.standardOutput()
            case .xlsx: try XLSXBillingReportWriter(path: path!)
            }
            try await context.source.writeBillingRows(to: writer)
            // Figures after the rows, so a billing still under way is summed as far as it was listed.
            if format == .xlsx {
                try writer.finish(summary: try await context.summary(), figures: try await context.source.billingFigures())
            } else {
                try writer.finish(summary: nil, figures: nil)
            }
            return (writer.rowsWritten, writer.notes)
        }
    }
}
