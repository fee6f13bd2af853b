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

    /// Attempts of the run still planned or sending.
    public func openAttemptCount(of runID: UUID) async throws -> Int {
        try await withConnection("count open attempts") { connection in
            let rows = try await connection.query("""
                SELECT count(*) FROM sluice.billing_attempts WHERE run_id = \(runID) AND status IN ('planned', 'sending')
                """, logger: logger)
            for try await count in rows.decode(Int64.self) { return Int(count) }
            return 0
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

    /// One gateway answer to record: the attempt, the status it becomes, what the gateway said.
    public struct Answer: Sendable {
        public var attemptID: Int64
        public var status: AttemptStatus
        public var transaction: GatewayTransaction?

        public init(attemptID: Int64, status: AttemptStatus, transaction: GatewayTransaction?) {
            self.attemptID = attemptID
            self.status = status
            self.transaction = transaction
        }
    }

    /// Records the gateway's answer for an attempt that was open (planned, sending or pending)
    /// and applies it to the debtor's profile; see `settle(_:)`.
    ///
    /// - Returns: whether the attempt was open; `false` when another worker settled it first.
    @discardableResult
    public func settle(_ attemptID: Int64, as status: AttemptStatus, transaction: GatewayTransaction?) async throws -> Bool {
        try await settle([Answer(attemptID: attemptID, status: status, transaction: transaction)]).contains(attemptID)
    }

    /// Records answers for attempts that were open (planned, sending or pending) and applies
    /// each to its debtor's profile, in one statement: an accepted charge starts the profile's
    /// cycle lock (the first time it is accepted); a refused one gives its amount back to the
    /// cap; a final answer frees the profile for its next attempt. A profile has at most one
    /// open attempt, so no two answers of a batch touch the same profile. Each change goes into
    /// the attempt's history (`sluice.attempt_events`) with the source `sale`.
    ///
    /// - Returns: the attempts that were open; the others were settled by another worker first.
    public func settle(_ answers: [Answer]) async throws -> Set<Int64> {
        let answers = answers.filter { $0.status.profileOutcome != nil }
        guard !answers.isEmpty else { return [] }
        var ids: [Int64] = [], statuses: [String] = [], uniqueIDs: [String] = [], codes: [Int64] = []
        var messages: [String] = [], reasons: [String] = [], accepted: [Bool] = [], final: [Bool] = []
        for answer in answers {
            ids.append(answer.attemptID)
            statuses.append(answer.status.rawValue)
            uniqueIDs.append(answer.transaction?.uniqueID ?? "")
            codes.append(Int64(answer.transaction?.code ?? -1))
            messages.append(answer.transaction.map { [$0.message, $0.technicalMessage].compactMap { $0 }.joined(separator: ": ") } ?? "")
            reasons.append(answer.transaction?.reasonCode ?? "")
            switch answer.status.profileOutcome {
            case .accepted(let isFinal)?:
                accepted.append(true)
                final.append(isFinal)
            default:
                accepted.append(false)
                final.append(true)
            }
        }
        return try await withConnection("record attempts' answers") { connection in
            let rows = try await connection.query("""
                WITH input AS (
                    SELECT * FROM unnest(\(ids)::int8[], \(statuses)::text[], \(uniqueIDs)::text[], \(codes)::int8[], \(messages)::text[],
                                         \(reasons)::text[], \(accepted)::bool[], \(final)::bool[])
                        AS u(id, status, unique_id, code, message, reason, accepted, final)),
                old AS (
                    SELECT a.id, a.status AS old_status FROM sluice.billing_attempts a JOIN input i ON i.id = a.id
                    ORDER BY a.id FOR UPDATE OF a),
                settled AS (
                    UPDATE sluice.billing_attempts a SET status = i.status,
                        unique_id = coalesce(nullif(i.unique_id, ''), a.unique_id),
                        gateway_code = coalesce(nullif(i.code, -1)::int, a.gateway_code),
                        gateway_message = coalesce(nullif(i.message, ''), a.gateway_message),
                        reason_code = coalesce(nullif(i.reason, ''), a.reason_code),
                        settled_at = CASE WHEN i.final THEN now() ELSE a.settled_at END,
                        updated_at = now()
                    FROM input i, old o
                    WHERE a.id = i.id AND o.id = a.id AND o.old_status IN ('planned', 'sending', 'pending')
                    RETURNING a.id, a.iban_hash, a.amount_minor, a.model, a.transaction_id, o.old_status, i.accepted, i.final, i.status, i.reason),
                history AS (
                    INSERT INTO sluice.attempt_events (attempt_id, from_status, to_status, applied, source, reason_code)
                    SELECT s.id, s.old_status, s.status, true, 'sale', nullif(s.reason, '') FROM settled s WHERE s.old_status <> s.status
                    RETURNING 1),
                profile AS (
                    UPDATE sluice.debtor_profiles p SET
                        next_bill_at = CASE
                            WHEN s.accepted AND s.old_status <> 'pending' AND s.model = 'flywheel' THEN now() + interval '90 days'
                            WHEN s.accepted AND s.old_status <> 'pending' AND s.model = 'recovery' THEN now() + interval '6 months'
                            ELSE p.next_bill_at END,
                        charged_minor = CASE WHEN s.accepted THEN p.charged_minor
                            ELSE greatest(p.charged_minor - coalesce(s.amount_minor, 0), 0) END,
                        open_transaction_id = CASE WHEN s.final AND p.open_transaction_id = s.transaction_id THEN NULL
                            ELSE p.open_transaction_id END,
                        updated_at = now()
                    FROM settled s WHERE p.iban_hash = s.iban_hash
                    RETURNING 1)
                SELECT id FROM settled
                """, logger: logger)
            var settled = Set<Int64>()
            for try await id in rows.decode(Int64.self) { settled.insert(id) }
            return settled
        }
    }
}
