import Foundation
import PostgresNIO
import SluiceCore
import SluiceGenesis

extension BillingStore {
    /// Records that a sale request for the attempt goes out now, before it does, and counts it.
    /// Returns the attempt's sale requests so far, or `nil` when it is no longer open (another
    /// worker answered it).
    public func markSending(_ attemptID: Int64) async throws -> Int? {
        try await withConnection("record a sale request") { connection in
            let rows = try await connection.query("""
                UPDATE sluice.billing_attempts SET status = 'sending', sale_requests = sale_requests + 1,
                    sent_at = coalesce(sent_at, now()), attempted_at = now(), updated_at = now()
                WHERE id = \(attemptID) AND status IN ('planned', 'sending')
                RETURNING sale_requests
                """, logger: logger)
            for try await count in rows.decode(Int.self) { return count }
            return nil
        }
    }

    /// Counts a reconcile of the attempt.
    public func noteReconcile(_ attemptID: Int64) async throws {
        try await withConnection("count a reconcile") { connection in
            try await connection.query("""
                UPDATE sluice.billing_attempts SET reconcile_tries = reconcile_tries + 1, last_reconciled_at = now(), updated_at = now()
                WHERE id = \(attemptID)
                """, logger: logger)
        }
    }

    /// Records the gateway's answer for an attempt that was open (planned, sending or pending)
    /// and applies it to the debtor's profile, in one statement: an accepted charge starts the
    /// profile's cycle lock (the first time it is accepted); a refused one gives its amount back
    /// to the cap; a final answer frees the profile for its next attempt.
    ///
    /// - Returns: whether the attempt was open; `false` when another worker settled it first.
    @discardableResult
    public func settle(_ attemptID: Int64, as status: AttemptStatus, transaction: GatewayTransaction?) async throws -> Bool {
        guard let outcome = status.profileOutcome else { return false }
        let accepted: Bool
        let final: Bool
        switch outcome {
        case .accepted(let isFinal):
            accepted = true
            final = isFinal
        case .refused:
            accepted = false
            final = true
        }
        let message = transaction.map { [$0.message, $0.technicalMessage].compactMap { $0 }.joined(separator: ": ") }
        return try await withConnection("record an attempt's answer") { connection in
            let rows = try await connection.query("""
                WITH old AS (
                    SELECT id, status AS old_status FROM sluice.billing_attempts WHERE id = \(attemptID) FOR UPDATE),
                settled AS (
                    UPDATE sluice.billing_attempts a SET status = \(status.rawValue),
                        unique_id = coalesce(\(transaction?.uniqueID), a.unique_id),
                        gateway_code = coalesce(\(transaction?.code), a.gateway_code),
                        gateway_message = coalesce(nullif(\(message), ''), a.gateway_message),
                        reason_code = coalesce(\(transaction?.reasonCode), a.reason_code),
                        settled_at = CASE WHEN \(final) THEN now() ELSE a.settled_at END,
                        updated_at = now()
                    FROM old WHERE a.id = old.id AND old.old_status IN ('planned', 'sending', 'pending')
                    RETURNING a.iban_hash, a.amount_minor, a.model, a.transaction_id, old.old_status),
                profile AS (
                    UPDATE sluice.debtor_profiles p SET
                        next_bill_at = CASE
                            WHEN \(accepted) AND s.old_status <> 'pending' AND s.model = 'flywheel' THEN now() + interval '90 days'
                            WHEN \(accepted) AND s.old_status <> 'pending' AND s.model = 'recovery' THEN now() + interval '6 months'
                            ELSE p.next_bill_at END,
                        charged_minor = CASE WHEN \(accepted) THEN p.charged_minor
                            ELSE greatest(p.charged_minor - coalesce(s.amount_minor, 0), 0) END,
                        open_transaction_id = CASE WHEN \(final) AND p.open_transaction_id = s.transaction_id THEN NULL
                            ELSE p.open_transaction_id END,
                        updated_at = now()
                    FROM settled s WHERE p.iban_hash = s.iban_hash
                    RETURNING 1)
                SELECT count(*) FROM settled
                """, logger: logger)
            for try await count in rows.decode(Int64.self) { return count > 0 }
            return false
        }
    }
}
