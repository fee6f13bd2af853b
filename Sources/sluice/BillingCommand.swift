import ArgumentParser
import Foundation
import Logging
import SluiceBilling
import SluiceCore
import SluiceGenesis
import SluicePipeline
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
            var configuration = try GenesisConfiguration.fromEnvironment(terminal: settings.terminal)
            configuration.timeout = .milliseconds(Int64(settings.timeoutSeconds * 1000))
            return GenesisClient(configuration: configuration, logger: logger)
        }
    }

    static func runID(_ text: String) throws -> UUID {
        guard let id = UUID(uuidString: text) else { throw SluiceError(.invalidArgument, "RUN_ID must be a run id (UUID)") }
        return id
    }
}

struct BillingStartCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "start",
        abstract: "Hand a completed run to billing and bill it here.",
        discussion: """
            A run whose pipeline bills on completion was handed to billing when it completed; \
            for others this hands it over with the billing section of the pipeline file (--pipeline, \
            else the file of the run's pipeline in SLUICE_PIPELINES or pipelines/). Then it bills the \
            run in this process until every attempt is answered, unless --queue-only leaves that to \
            the workers of `sluice serve`. Running it again, or alongside a server, never charges \
            anyone twice: planning is fenced by its checkpoint and every sale by its attempt's \
            status and transaction_id. Gateway credentials: SLUICE_GENESIS_URL, SLUICE_GENESIS_LOGIN, \
            SLUICE_GENESIS_PASSWORD (per terminal: SLUICE_GENESIS_LOGIN_<TERMINAL>, …).
            """
    )

    @Argument(help: "The run id.")
    var runID: String

    @Option(help: "The pipeline file whose billing section applies, for a run not handed over yet.")
    var pipeline: String?

    @Flag(help: "Only queue the billing for `sluice serve` workers.")
    var queueOnly = false

    @Flag(help: "Print the billing summary as JSON.")
    var json = false

    func run() async throws {
        let logger = Environment.logger(verbose: false)
        try await reportingErrors {
            let id = try BillingCommand.runID(runID)
            let database = try Environment.database()
            try await database.withConnection(logger: logger) { try await Migrator().migrate(on: $0, logger: logger) }
            let store = BillingStore(source: database, logger: logger)
            if try await store.billingRun(id) == nil {
                let run = try await database.withConnection(logger: logger) { try await RunStore(connection: $0, logger: logger).run(id: id) }
                guard let run else { throw SluiceError(.runNotFound, "no run \(id.uuidString.lowercased())") }
                let spec = try pipeline.map(PipelineSpec.load(path:))
                    ?? PipelineCatalog(folder: ProcessInfo.processInfo.environment["SLUICE_PIPELINES"] ?? "pipelines").pipeline(named: run.pipeline)
                guard let settings = spec.billing else {
                    throw SluiceError(.invalidPipeline, "pipeline \(spec.name) has no billing section", pipeline: spec.name, stage: .billing)
                }
                let user = ProcessInfo.processInfo.environment["USER"] ?? "cli"
                _ = try await store.handOff(runID: id, pipeline: spec.name, targetTable: spec.target.description, settings: settings, requestedBy: user)
            }
            if !queueOnly, let record = try await store.billingRun(id), record.state != .completed {
                let handler = BillingJobHandler(store: store, makeGateway: BillingCommand.gateway(logger: logger), logger: logger)
                let outcome = try await handler.bill(record, gateway: try BillingCommand.gateway(logger: logger)(record.settings), logger: logger)
                if outcome.deferred > 0 {
                    Terminal.printError("warning: \(outcome.deferred) attempts have no answer from the gateway yet; run `sluice billing start` again to reconcile them")
                }
            }
            guard let summary = try await store.summary(of: id) else { return }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                encoder.dateEncodingStrategy = .iso8601
                print(String(decoding: try encoder.encode(summary), as: UTF8.self))
            } else {
                print(summary.text)
            }
        }
    }
}

struct BillingStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "How the billing of a run stands.")

    @Argument(help: "The run id.")
    var runID: String

    @Flag(help: "Print JSON.")
    var json = false

    func run() async throws {
        let logger = Environment.logger(verbose: false)
        try await reportingErrors {
            let id = try BillingCommand.runID(runID)
            let database = try Environment.database()
            try await database.withConnection(logger: logger) { try await Migrator().requireCurrent(on: $0, logger: logger) }
            guard let summary = try await BillingStore(source: database, logger: logger).summary(of: id) else {
                throw SluiceError(.runNotFound, "run \(id.uuidString.lowercased()) was never handed to billing")
            }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                encoder.dateEncodingStrategy = .iso8601
                print(String(decoding: try encoder.encode(summary), as: UTF8.self))
            } else {
                print(summary.text)
            }
        }
    }
}

struct BillingAttemptsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "attempts", abstract: "List a run's billing attempts (IBANs masked).")

    @Argument(help: "The run id.")
    var runID: String

    @Option(help: "Only attempts with this status (planned, sending, approved, declined, error, pending, …).")
    var status: String?

    @Option(help: "At most this many.")
    var limit = 100

    @Flag(help: "Print JSON lines.")
    var json = false

    func run() async throws {
        let logger = Environment.logger(verbose: false)
        try await reportingErrors {
            let id = try BillingCommand.runID(runID)
            let wanted = try status.map { text -> AttemptStatus in
                guard let value = AttemptStatus(rawValue: text) else {
                    throw SluiceError(.invalidArgument, "--status must be one of \(AttemptStatus.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return value
            }
            let database = try Environment.database()
            try await database.withConnection(logger: logger) { try await Migrator().requireCurrent(on: $0, logger: logger) }
            let attempts = try await BillingStore(source: database, logger: logger).attempts(runID: id, status: wanted, afterID: 0, limit: max(limit, 1))
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            encoder.dateEncodingStrategy = .iso8601
            if !json { print("line\ttransaction_id\tiban\tamount\tmodel\tstatus\treason") }
            for attempt in attempts {
                if json {
                    print(String(decoding: try encoder.encode(attempt), as: UTF8.self))
                } else {
                    print([String(attempt.sourceLine), attempt.transactionID, attempt.ibanMasked, MinorUnits.format(attempt.amountMinor), attempt.model,
                           attempt.status, attempt.reasonCode ?? ""].joined(separator: "\t"))
                }
            }
        }
    }
}
