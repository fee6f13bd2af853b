import ArgumentParser
import Foundation
import SluiceCore
import SluiceReports

struct ReportSummaryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summary",
        abstract: "Print a run's counts by reason and stage, and its timings."
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json, csv
    }

    @Argument(help: "The run id, or a unique prefix of it (see `sluice runs`).")
    var runID: String

    @Option(name: .long, help: "text, json or csv.")
    var format: Format = .text

    @Option(name: .long, help: "Write to this file instead of stdout.")
    var output: String?

    func run() async throws {
        let logger = Environment.logger(verbose: false)
        try await reportingErrors {
            let summary = try await ReportContext.with(runID: runID, logger: logger) { try await $0.summary() }
            let text = switch format {
            case .text: summary.text()
            case .json: try summary.json() + "\n"
            case .csv: summary.csv()
            }
            if let output {
                do {
                    try Data(text.utf8).write(to: URL(fileURLWithPath: output))
                } catch {
                    throw SluiceError(.invalidArgument, "cannot write the summary to \(output)", underlying: error)
                }
            } else {
                print(text, terminator: "")
            }
        }
    }
}
