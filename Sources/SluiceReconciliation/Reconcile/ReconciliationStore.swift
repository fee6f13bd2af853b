import Foundation
import Logging
import PostgresNIO
import SluiceCore
import SluicePostgres

/// Reads what reconciliation recorded, for operators (API and CLI): an attempt's history and
/// the chargebacks.
public struct ReconciliationStore: Sendable {
    let source: any ConnectionSource
    let logger: Logger

    public init(source: any ConnectionSource, logger: Logger) {
        self.source = source
        self.logger = logger
    }

    /// The history of attempt `attemptID`, oldest first (newest last); `nil` when there is no such attempt.
    public func events(attemptID: Int64) async throws -> [AttemptEventRecord]? {
        try await source.withConnection("read an attempt's history", stage: "reconcile", logger: logger) { connection in
            var exists = false
            for try await _ in try await connection.query("SELECT 1 FROM sluice.billing_attempts WHERE id = \(attemptID)", logger: logger) {
                exists = true
            }
            guard exists else { return nil }
            let rows = try await connection.query("""
                SELECT id, attempt_id, from_status, to_status, applied, source, notification_id, reason_code, detail, created_at
                FROM sluice.attempt_events WHERE attempt_id = \(attemptID) ORDER BY id
                """, logger: logger)
            var events: [AttemptEventRecord] = []
            for try await row in rows {
                let (id, attempt, from, to, applied, source, notification, reason, detail, created) =
                    try row.decode((Int64, Int64, String, String, Bool, String, Int64?, String?, String, Date).self)
                events.append(AttemptEventRecord(
                    id: id, attemptID: attempt, fromStatus: from, toStatus: to, applied: applied, source: source, notificationID: notification,
                    reasonCode: reason, detail: detail, createdAt: created))
            }
            return events
        }
    }

    /// Chargebacks newest first, of one reason code when `code` is given: those with an id
    /// below `beforeID` (keyset paging: pass the last id of a page for the next).
    public func chargebacks(code: String? = nil, beforeID: Int64? = nil, limit: Int) async throws -> [ChargebackRecord] {
        let code = code?.uppercased()
        let limit = min(max(limit, 1), 1_000)
        return try await source.withConnection("list chargebacks", stage: "reconcile", logger: logger) { connection in
            let rows = try await connection.query("""
                SELECT c.id, c.unique_id, c.attempt_id, c.reason_code, c.reason_description, c.amount_minor, c.currency, c.source,
                    c.blacklisted, c.reversed_at, c.created_at, a.iban_masked
                FROM sluice.chargebacks c LEFT JOIN sluice.billing_attempts a ON a.id = c.attempt_id
                WHERE (\(code)::text IS NULL OR c.reason_code = \(code)) AND (\(beforeID)::int8 IS NULL OR c.id < \(beforeID))
                ORDER BY c.id DESC LIMIT \(limit)
                """, logger: logger)
            var chargebacks: [ChargebackRecord] = []
            for try await row in rows {
                let (id, uniqueID, attempt, reason, description, amount, currency, source, blacklisted, reversed, created, masked) =
                    try row.decode((Int64, String, Int64?, String, String, Int64?, String?, String, Bool, Date?, Date, String?).self)
                chargebacks.append(ChargebackRecord(
                    id: id, uniqueID: uniqueID, attemptID: attempt, reasonCode: reason, reasonDescription: description, amountMinor: amount,
                    currency: currency, source: source, blacklisted: blacklisted, reversedAt: reversed, createdAt: created, ibanMasked: masked))
            }
            return chargebacks
        }
    }
}
