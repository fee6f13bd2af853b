import ArgumentParser
import Foundation
import Logging
import PostgresNIO
import SluiceCore
import SluiceGenesis
import SluicePostgres
import SluiceReconciliation

/// `sluice reconcile attempt|pending|by-date|chargebacks`: reconciliation from the shell, run
/// here and now (the server's scheduler queues the same work as jobs).
struct ReconcileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile",
        abstract: "Ask the gateway what became of charges and apply its answers.",
        discussion: """
            Every answer goes through the same path as the gateway's notifications, so running a \
            reconciliation again, or alongside a server, changes nothing twice. Gateway credentials: \
            SLUICE_GENESIS_URL, SLUICE_GENESIS_LOGIN, SLUICE_GENESIS_PASSWORD (per terminal: \
            SLUICE_GENESIS_LOGIN_<TERMINAL>, …). Settings: SLUICE_RECONCILE_PENDING_AGE_SECONDS, \
            SLUICE_RECONCILE_MAX_TRIES, SLUICE_RECONCILE_RATE, SLUICE_RECONCILE_BATCH_LIMIT, \
            SLUICE_CHARGEBACK_SYNC_DAYS, SLUICE_CHARGEBACK_SYNC_PAGE_SIZE, SLUICE_CHARGEBACK_BLACKLIST_CODES.
            """,
        subcommands: [ReconcileAttemptCommand.self, ReconcilePendingCommand.self, ReconcileByDateCommand.self, ReconcileChargebacksCommand.self]
    )

    /// The gateway client of a terminal, from `SLUICE_GENESIS_URL`, `_LOGIN`, `_PASSWORD`.
    static func gateway(logger: Logger) -> Reconciler.GatewayFactory {
        { terminal in
            do {
                return GenesisClient(configuration: try GenesisConfiguration.fromEnvironment(terminal: terminal), logger: logger)
            } catch let error as GenesisConfigurationError {
                throw SluiceError(.invalidArgument, "reconciling through terminal \(terminal) needs \(error.variable) in the environment", stage: "reconcile")
            }
        }
    }

    /// Runs `body` with a reconciler over a connection pool, after migrating, reporting errors the CLI way.
    static func withReconciler(_ body: (Reconciler, Logger) async throws -> Void) async throws {
        let logger = Environment.logger(verbose: false)
        try await reportingErrors {
            let environment = ProcessInfo.processInfo.environment
            let settings = try ReconciliationSettings.fromEnvironment(environment)
            let database = try Environment.database()
            try await database.withConnection(logger: logger) { try await Migrator().migrate(on: $0, logger: logger) }
            // Errors only from the pool's background logger, as `billing start` does.
            var poolLogger = logger
            poolLogger.logLevel = .error
            let client = PostgresClient(configuration: database.clientConfiguration, backgroundLogger: poolLogger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await client.run() }
                defer { group.cancelAll() }
                let reconciler = Reconciler(
                    source: PooledConnections(client: client), makeGateway: gateway(logger: logger), policy: ChargebackPolicy(environment: environment),
                    settings: settings, logger: logger)
                try await body(reconciler, logger)
            }
        }
    }

    /// Prints `value` as pretty JSON (sorted keys, ISO 8601 dates) or as `text`.
    static func print(_ value: some Encodable, text: String, json: Bool) throws {
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            encoder.dateEncodingStrategy = .iso8601
            Swift.print(String(decoding: try encoder.encode(value), as: UTF8.self))
        } else {
            Swift.print(text)
        }
    }

    /// Prints a pass's summary; a pass that left terminals undone then fails the command.
    static func finish(_ summary: PassSummary, json: Bool, what: String) throws {
        try print(summary, text: summary.text, json: json)
        if !summary.failures.isEmpty {
            throw SluiceError(.gateway, "\(what) failed for \(summary.failures.count) terminals")
        }
    }

    /// `--from`/`--to` as a gateway range; missing days default to the last `days` days up to today (UTC).
    static func range(from: String?, to: String?, defaultDays days: Int) throws -> GatewayDateRange {
        let fallback = GatewayDateRange.lastDays(days, endingAt: Date())
        return try GatewayDateRange.validated(start: from ?? fallback.startDate, end: to ?? fallback.endDate, startName: "--from", endName: "--to")
    }
}
