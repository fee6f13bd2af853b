import ArgumentParser
import SluicePostgres

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Create or update Sluice's schema in PostgreSQL (also done before every run)."
    )

    @Flag(name: .shortAndLong, help: "Log debug messages to stderr.")
    var verbose = false

    func run() async throws {
        let logger = Environment.logger(verbose: verbose)
        try await reportingErrors {
            try await Environment.database().withConnection(logger: logger) { connection in
                try await Migrator().migrate(on: connection, logger: logger)
            }
            print("schema sluice is at version \(Migrator.migrations.map(\.version).max() ?? 0)")
        }
    }
}
