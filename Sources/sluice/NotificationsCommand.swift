import ArgumentParser
import Foundation
import Logging
import SluiceCore
import SluiceJobs
import SluicePostgres
import SluiceReconciliation

/// `sluice notifications list|show|replay`: the gateway's notifications as stored by
/// `sluice serve` (docs/notifications.md).
struct NotificationsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notifications",
        abstract: "List, show and replay the gateway's stored notifications.",
        subcommands: [NotificationsListCommand.self, NotificationsShowCommand.self, NotificationsReplayCommand.self])

    /// The store, on a database whose schema is current (read-only commands never migrate).
    static func store(logger: Logger) async throws -> (NotificationStore, DatabaseConfiguration) {
        let database = try Environment.database()
        try await database.withConnection(logger: logger) { try await Migrator().requireCurrent(on: $0, logger: logger) }
        return (NotificationStore(source: database, logger: logger), database)
    }

    static func printJSON(_ value: some Encodable, pretty: Bool) throws {
        print(String(decoding: try BillingCommand.encoder(pretty: pretty).encode(value), as: UTF8.self))
    }
}

/// `sluice notifications list`.
struct NotificationsListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List stored notifications, newest first.")

    @Option(help: "Only this gateway status (approved, declined, pending, chargebacked, …).")
    var status: String?

    @Option(help: "Only this outcome: applied, unchanged, stale, unknown_transaction, amount_mismatch, recorded, or pending (not processed yet).")
    var outcome: String?

    @Flag(help: "Only notifications whose signature failed.")
    var signatureFailed = false

    @Option(help: "Only this terminal.")
    var terminal: String?

    @Option(help: "Only this unique_id.")
    var uniqueID: String?

    @Option(help: "At most this many.")
    var limit = 100

    @Flag(help: "Print JSON lines.")
    var json = false

    func run() async throws {
        let logger = Environment.logger(verbose: false)
        try await reportingErrors {
            if let outcome, !(ObservationOutcome.allCases.map(\.rawValue) + ["pending"]).contains(outcome) {
                throw SluiceError(.invalidArgument, "--outcome must be one of \((ObservationOutcome.allCases.map(\.rawValue) + ["pending"]).joined(separator: ", "))")
            }
            let filter = NotificationFilter(
                status: status, outcome: outcome, signatureOK: signatureFailed ? false : nil, terminal: terminal, uniqueID: uniqueID)
            let records = try await NotificationsCommand.store(logger: logger).0.list(filter, limit: max(limit, 1))
            if !json { print("id\treceived\tterminal\tunique_id\tstatus\tevent\tsignature\tduplicates\toutcome\tdetail") }
            for record in records {
                if json {
                    try NotificationsCommand.printJSON(record, pretty: false)
                } else {
                    print([
                        String(record.id), ISO8601DateFormatter().string(from: record.receivedAt), record.terminal, record.uniqueID, record.status, record.event,
                        record.signatureOK ? "ok" : "FAILED", String(record.duplicates), record.outcome ?? (record.signatureOK ? "pending" : "-"),
                        record.outcomeDetail,
                    ].joined(separator: "\t"))
                }
            }
        }
    }
}

/// `sluice notifications show ID`.
struct NotificationsShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one notification with its fields (the signature left out).")

    @Argument(help: "The notification id.")
    var id: Int64

    func run() async throws {
        let logger = Environment.logger(verbose: false)
        try await reportingErrors {
            guard let record = try await NotificationsCommand.store(logger: logger).0.notification(id) else {
                throw SluiceError(.notFound, "no notification \(id)")
            }
            try NotificationsCommand.printJSON(record, pretty: true)
        }
    }
}

/// `sluice notifications replay ID`.
struct NotificationsReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay", abstract: "Queue a notification to be processed again; a worker of `sluice serve` processes it.")

    @Argument(help: "The notification id.")
    var id: Int64

    func run() async throws {
        let logger = Environment.logger(verbose: false)
        try await reportingErrors {
            let (store, database) = try await NotificationsCommand.store(logger: logger)
            let job = try await store.replay(id, queue: JobQueue(source: database, logger: logger))
            print("notification \(id): queued as job \(job.id)")
        }
    }
}
