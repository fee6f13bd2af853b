import ArgumentParser
import Foundation
import SluicePostgres

struct RunsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "List recent runs with their status and counts."
    )

    @Option(name: .long, help: "How many runs to list.")
    var limit = 20

    func run() async throws {
        let logger = Environment.logger(verbose: false)
        try await reportingErrors {
            let runs = try await Environment.database().withConnection(logger: logger) { connection in
                // Listing only reads: check the schema, never change it.
                try await Migrator().requireCurrent(on: connection, logger: logger)
                return try await RunStore(connection: connection, logger: logger).recentRuns(limit: limit)
            }
            for run in runs {
                let counters = run.counters
                print("\(run.idText)  \(run.status.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)) \(run.pipeline)\(run.mode == .load ? "" : " [\(run.mode == .dryRun ? "dry run" : "test")]")  \(run.objectURI)  "
                    + "read \(counters.rowsRead) accepted \(counters.rowsAccepted) rejected \(counters.rowsRejected)"
                    + (run.error.map { "  error: \($0)" } ?? ""))
            }
        }
    }
}
