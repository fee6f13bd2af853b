import ArgumentParser
import Foundation
import Logging
import SluiceBilling
import SluiceCore
import SluiceGenesis
import SluicePostgres

/// `sluice billing start|status|attempts RUN_ID`: billing of a completed run from the shell.
struct BillingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "billing",
        abstract: "Charge a completed run's rows through the gateway, and see how its billing stands.",
        subcommands: [BillingStartCommand.self, BillingStatusCommand.self, BillingAttemptsCommand.self]
    )

    /// The gateway client of a billing's terminal, from `SLUICE_GENESIS_URL`, `_LOGIN`, `_PASSWORD`.
    static func gateway(logger: Logger) -> BillingJobHandler.GatewayFactory {
        { settings in
            var configuration: GenesisConfiguration
            do {
                configuration = try GenesisConfiguration.fromEnvironment(terminal: settings.terminal)
            } catch let error as GenesisConfigurationError {
                throw SluiceError(.invalidArgument, "billing through terminal \(settings.terminal) needs \(error.variable) in the environment", stage: .billing)
            }
            configuration.timeout = .milliseconds(Int64(settings.timeoutSeconds * 1000))
            return GenesisClient(configuration: configuration, logger: logger)
        }
    }

    /// The summary as text, or as pretty JSON.
    static func print(_ summary: BillingSummary, json: Bool) throws {
        Swift.print(json ? String(decoding: try encoder(pretty: true).encode(summary), as: UTF8.self) : summary.text)
    }

    /// Sorted keys and ISO 8601 dates, as the API writes them.
    static func encoder(pretty: Bool) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys] : [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    /// The store for commands that only read, once the schema is known to be current.
    static func readingStore(logger: Logger) async throws -> BillingStore {
        let database = try Environment.database()
        try await database.withConnection(logger: logger) { try await Migrator().requireCurrent(on: $0, logger: logger) }
        return BillingStore(source: database, logger: logger)
    }

    static func runID(_ text: String) throws -> UUID {
        guard let id = UUID(uuidString: text) else { throw SluiceError(.invalidArgument, "RUN_ID must be a run id (UUID)") }
        return id
    }
}
