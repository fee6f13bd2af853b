import Foundation
import Logging
import PostgresNIO
import SluiceCore
import SluiceGenesis
import SluiceJobs
import SluicePostgres

/// Reads the stored notifications and replays one, for operators (API and CLI).
public struct NotificationStore: Sendable {
    let source: any ConnectionSource
    let logger: Logger

    public init(source: any ConnectionSource, logger: Logger) {
        self.source = source
        self.logger = logger
    }

    static let columns = """
        id, terminal, unique_id, transaction_id, transaction_type, status, event, signature_ok, source_address, received_at, duplicates, \
        last_received_at, processed_at, outcome, outcome_detail, attempt_id, replays, body
        """

    /// Notifications matching `filter`, newest first: those with an id below `beforeID` (keyset paging).
    public func list(_ filter: NotificationFilter, beforeID: Int64? = nil, limit: Int) async throws -> [NotificationRecord] {
        let pendingOnly = filter.outcome == "pending"
        let outcome = pendingOnly ? nil : filter.outcome
        return try await source.withConnection("list notifications", logger: logger) { connection in
            try await Self.decode(connection.query("""
                SELECT \(unescaped: Self.columns) FROM sluice.notifications
                WHERE (\(filter.status)::text IS NULL OR status = \(filter.status))
                  AND (\(outcome)::text IS NULL OR outcome = \(outcome))
                  AND (NOT \(pendingOnly) OR (processed_at IS NULL AND signature_ok))
                  AND (\(filter.signatureOK)::bool IS NULL OR signature_ok = \(filter.signatureOK))
                  AND (\(filter.terminal)::text IS NULL OR terminal = \(filter.terminal))
                  AND (\(filter.uniqueID)::text IS NULL OR unique_id = \(filter.uniqueID))
                  AND (\(beforeID)::int8 IS NULL OR id < \(beforeID))
                ORDER BY id DESC LIMIT \(limit)
                """, logger: logger), withFields: false)
        }
    }

    /// One notification with its fields, or `nil`.
    public func notification(_ id: Int64) async throws -> NotificationRecord? {
        try await source.withConnection("read a notification", logger: logger) { connection in
            try await Self.decode(connection.query(
                "SELECT \(unescaped: Self.columns) FROM sluice.notifications WHERE id = \(id)", logger: logger), withFields: true).first
        }
    }

    /// Queues the notification to be processed again: after its attempt appeared (it was for an
    /// unknown transaction), or to apply it after a fix. Applying is idempotent, so a replay of
    /// an applied notification changes nothing. A notification whose signature failed is never
    /// processed.
    public func replay(_ id: Int64, queue: JobQueue) async throws -> EnqueuedJob {
        guard let record = try await notification(id) else {
            throw SluiceError(.notFound, "no notification \(id)")
        }
        guard record.signatureOK else {
            throw SluiceError(.notReplayable, "notification \(id) failed its signature check: it is kept for audit and never processed")
        }
        return try await queue.enqueue(kind: NotificationJournal.jobKind, payload: NotificationJobPayload(ids: [id], replay: true))
    }

    typealias Row = (Int64, String, String, String, String, String, String, Bool, String, Date, Int, Date, Date?, String?, String, Int64?, Int, String)

    static func decode(_ rows: PostgresRowSequence, withFields: Bool) async throws -> [NotificationRecord] {
        var records: [NotificationRecord] = []
        for try await row in rows.decode(Row.self) {
            let (id, terminal, uniqueID, transactionID, type, status, event, signed, address, received, duplicates, last, processed, outcome, detail,
                 attempt, replays, body) = row
            var fields: [String: String]?
            if withFields {
                fields = [:]
                for pair in FormFields(Array(body.utf8)).pairs where pair.name != "signature" { fields?[pair.name] = pair.value }
            }
            records.append(NotificationRecord(
                id: id, terminal: terminal, uniqueID: uniqueID, transactionID: transactionID, transactionType: type, status: status, event: event,
                signatureOK: signed, sourceAddress: address, receivedAt: received, duplicates: duplicates, lastReceivedAt: last, processedAt: processed,
                outcome: outcome, outcomeDetail: detail, attemptID: attempt, replays: replays, fields: fields))
        }
        return records
    }
}
