import ArgumentParser
import Foundation
import Logging
import PostgresNIO
import SluiceBilling
import SluiceCore
import SluicePipeline
import SluicePostgres

/// `sluice billing start RUN_ID`: hands a completed run to billing and bills it here.
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
            // A pool for the life of the command: billing makes two short statements per attempt.
            // Its background logger says only errors: the first lease may come before `run()`
            // has started, which PostgresNIO reports as a warning though it waits correctly.
            var poolLogger = logger
            poolLogger.logLevel = .error
            let client = PostgresClient(configuration: database.clientConfiguration, backgroundLogger: poolLogger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await client.run() }
                defer { group.cancelAll() }
                try await bill(id, store: BillingStore(source: PooledConnections(client: client), logger: logger), database: database, logger: logger)
            }
        }
    }

    private func bill(_ id: UUID, store: BillingStore, database: DatabaseConfiguration, logger: Logger) async throws {
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
        try BillingCommand.print(summary, json: json)
    }
}
