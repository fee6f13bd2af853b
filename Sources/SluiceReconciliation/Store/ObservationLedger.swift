import Foundation
import Logging
import PostgresNIO
import SluiceBilling
import SluiceCore

/// Applies what the gateway said to the billing tables, inside the caller's transaction:
/// locks the attempts named (in id order, so two batches never wait on each other in a
/// circle), decides every change as a value (`ObservationPlan`) and writes it in a few
/// batched statements: attempts, their history, the debtors' profiles, chargebacks and the
/// blacklist. The same path serves notifications, reconciles, by-date refreshes and the
/// chargeback sync, so a status learnt twice is applied once.
public struct ObservationLedger: Sendable {
    public let policy: ChargebackPolicy
    let logger: Logger

    public init(policy: ChargebackPolicy, logger: Logger) {
        self.policy = policy
        self.logger = logger
    }

    /// Applies `observations` on `connection`, which must be in a transaction.
    public func apply(_ observations: [GatewayObservation], on connection: PostgresConnection) async throws -> ObservationPlan {
        let attempts = try await lockAttempts(
            uniqueIDs: Array(Set(observations.compactMap(\.uniqueID))), transactionIDs: Array(Set(observations.compactMap(\.transactionID))),
            on: connection)
        let plan = ObservationPlan(observations, attempts: attempts, policy: policy)
        try await writeAttempts(plan, on: connection)
        try await writeEvents(plan, on: connection)
        try await writeProfiles(plan, on: connection)
        try await writeChargebacks(plan, on: connection)
        return plan
    }

    func lockAttempts(uniqueIDs: [String], transactionIDs: [String], on connection: PostgresConnection) async throws -> [AttemptSnapshot] {
        guard !uniqueIDs.isEmpty || !transactionIDs.isEmpty else { return [] }
        let rows = try await connection.query("""
            SELECT id, status, transaction_id, unique_id, amount_minor, encode(iban_hash, 'hex'), iban_masked
            FROM sluice.billing_attempts
            WHERE unique_id = ANY(\(uniqueIDs)::text[]) OR transaction_id = ANY(\(transactionIDs)::text[])
            ORDER BY id FOR UPDATE
            """, logger: logger)
        var attempts: [AttemptSnapshot] = []
        for try await (id, status, transactionID, uniqueID, amount, hash, masked) in rows.decode((Int64, String, String?, String?, Int64?, String, String?).self) {
            attempts.append(AttemptSnapshot(
                id: id, status: AttemptStatus(rawValue: status) ?? .pending, transactionID: transactionID, uniqueID: uniqueID, amountMinor: amount,
                ibanHashHex: hash, ibanMasked: masked))
        }
        return attempts
    }

    func writeAttempts(_ plan: ObservationPlan, on connection: PostgresConnection) async throws {
        let changes = plan.attempts.values.sorted { $0.attemptID < $1.attemptID }
        guard !changes.isEmpty else { return }
        let ids = changes.map(\.attemptID), statuses = changes.map(\.status.rawValue)
        let uniqueIDs = changes.map { $0.uniqueID ?? "" }, reasons = changes.map { $0.reasonCode ?? "" }
        let codes = changes.map { Int64($0.gatewayCode ?? -1) }, messages = changes.map { $0.message ?? "" }
        let settled = changes.map(\.settled), chargebacks = changes.map { $0.chargebackReason ?? "" }
        let charged = changes.map { $0.chargebackReason != nil }
        try await connection.query("""
            UPDATE sluice.billing_attempts a SET status = i.status,
                unique_id = coalesce(nullif(i.unique_id, ''), a.unique_id),
                reason_code = coalesce(nullif(i.reason, ''), a.reason_code),
                gateway_code = coalesce(nullif(i.code, -1)::int, a.gateway_code),
                gateway_message = coalesce(nullif(i.message, ''), a.gateway_message),
                settled_at = CASE WHEN i.settled THEN now() ELSE a.settled_at END,
                chargeback_at = CASE WHEN i.charged THEN coalesce(a.chargeback_at, now()) ELSE a.chargeback_at END,
                chargeback_reason = CASE WHEN i.charged THEN nullif(i.chargeback, '') ELSE a.chargeback_reason END,
                updated_at = now()
            FROM unnest(\(ids)::int8[], \(statuses)::text[], \(uniqueIDs)::text[], \(reasons)::text[], \(codes)::int8[], \(messages)::text[],
                        \(settled)::bool[], \(chargebacks)::text[], \(charged)::bool[])
                AS i(id, status, unique_id, reason, code, message, settled, chargeback, charged)
            WHERE a.id = i.id
            """, logger: logger)
    }

    func writeEvents(_ plan: ObservationPlan, on connection: PostgresConnection) async throws {
        let events = plan.events
        guard !events.isEmpty else { return }
        let ids = events.map(\.attemptID), from = events.map(\.from.rawValue), to = events.map(\.to.rawValue), applied = events.map(\.applied)
        let sources = events.map(\.source.rawValue), notifications = events.map { $0.notificationID ?? -1 }
        let reasons = events.map { $0.reasonCode ?? "" }, details = events.map(\.detail)
        try await connection.query("""
            INSERT INTO sluice.attempt_events (attempt_id, from_status, to_status, applied, source, notification_id, reason_code, detail)
            SELECT id, from_status, to_status, applied, source, nullif(notification_id, -1), nullif(reason, ''), detail
            FROM unnest(\(ids)::int8[], \(from)::text[], \(to)::text[], \(applied)::bool[], \(sources)::text[], \(notifications)::int8[],
                        \(reasons)::text[], \(details)::text[]) WITH ORDINALITY
                AS e(id, from_status, to_status, applied, source, notification_id, reason, detail, n)
            ORDER BY n
            """, logger: logger)
    }

    func writeProfiles(_ plan: ObservationPlan, on connection: PostgresConnection) async throws {
        let changes = plan.profiles.values.sorted { $0.ibanHashHex < $1.ibanHashHex }
        guard !changes.isEmpty else { return }
        let hashes = changes.map(\.ibanHashHex), giveBack = changes.map(\.giveBackMinor), starts = changes.map(\.startsCycle)
        let released = changes.map { $0.releasedTransactionID ?? "" }, deactivations = changes.map { $0.deactivation ?? "" }
        // Locked in hash order first: concurrent batches then never wait on each other in a circle.
        try await connection.query("""
            SELECT 1 FROM sluice.debtor_profiles
            WHERE iban_hash = ANY(ARRAY(SELECT decode(h, 'hex') FROM unnest(\(hashes)::text[]) AS h))
            ORDER BY iban_hash FOR UPDATE
            """, logger: logger)
        try await connection.query("""
            UPDATE sluice.debtor_profiles p SET
                next_bill_at = CASE
                    WHEN c.starts AND p.model = 'flywheel' THEN now() + interval '90 days'
                    WHEN c.starts AND p.model = 'recovery' THEN now() + interval '6 months'
                    ELSE p.next_bill_at END,
                charged_minor = greatest(p.charged_minor - c.give_back, 0),
                open_transaction_id = CASE WHEN c.released <> '' AND p.open_transaction_id = c.released THEN NULL ELSE p.open_transaction_id END,
                active = CASE WHEN c.deactivation <> '' THEN false ELSE p.active END,
                deactivated_reason = CASE WHEN c.deactivation <> '' THEN c.deactivation ELSE p.deactivated_reason END,
                updated_at = now()
            FROM unnest(\(hashes)::text[], \(giveBack)::int8[], \(starts)::bool[], \(released)::text[], \(deactivations)::text[])
                AS c(hash, give_back, starts, released, deactivation)
            WHERE p.iban_hash = decode(c.hash, 'hex')
            """, logger: logger)
    }

    func writeChargebacks(_ plan: ObservationPlan, on connection: PostgresConnection) async throws {
        // One row per transaction: a batch may learn one chargeback twice (a notification and
        // its re-send under another status, both for a transaction no attempt has yet), and
        // one statement cannot insert and update the same row.
        var seen = Set<String>()
        let chargebacks = plan.chargebacks.filter { seen.insert($0.uniqueID).inserted }
        if !chargebacks.isEmpty {
            let uniqueIDs = chargebacks.map(\.uniqueID), attempts = chargebacks.map { $0.attemptID ?? -1 }
            let codes = chargebacks.map(\.reasonCode), descriptions = chargebacks.map(\.reasonDescription)
            let amounts = chargebacks.map { $0.amountMinor ?? -1 }, currencies = chargebacks.map { $0.currency ?? "" }
            let sources = chargebacks.map(\.source.rawValue), blacklist = chargebacks.map(\.blacklist)
            // A chargeback learnt again (a notification, then the sync) keeps its first record,
            // but a known attempt replaces an unknown one's.
            try await connection.query("""
                INSERT INTO sluice.chargebacks (unique_id, attempt_id, reason_code, reason_description, amount_minor, currency, source, blacklisted)
                SELECT unique_id, nullif(attempt_id, -1), code, description, nullif(amount, -1), nullif(currency, ''), source, blacklist
                FROM unnest(\(uniqueIDs)::text[], \(attempts)::int8[], \(codes)::text[], \(descriptions)::text[], \(amounts)::int8[],
                            \(currencies)::text[], \(sources)::text[], \(blacklist)::bool[]) WITH ORDINALITY
                    AS c(unique_id, attempt_id, code, description, amount, currency, source, blacklist, n)
                ORDER BY n
                ON CONFLICT (unique_id) DO UPDATE SET attempt_id = EXCLUDED.attempt_id, blacklisted = EXCLUDED.blacklisted,
                    reason_code = EXCLUDED.reason_code, reason_description = EXCLUDED.reason_description
                WHERE sluice.chargebacks.attempt_id IS NULL AND EXCLUDED.attempt_id IS NOT NULL
                """, logger: logger)
            let listed = chargebacks.filter { $0.blacklist && $0.ibanHashHex != nil }
            if !listed.isEmpty {
                let hashes = listed.map { $0.ibanHashHex ?? "" }, displays = listed.map { $0.ibanMasked ?? "(masked IBAN)" }
                let reasons = listed.map { "chargeback \($0.reasonCode)" + ($0.reasonDescription.isEmpty ? "" : ": \($0.reasonDescription)") }
                // A manual entry already there keeps its own reason.
                try await connection.query("""
                    INSERT INTO sluice.blacklist (kind, value_key, display, reason, source)
                    SELECT 'iban', hash, display, reason, 'chargeback'
                    FROM unnest(\(hashes)::text[], \(displays)::text[], \(reasons)::text[]) AS b(hash, display, reason)
                    ON CONFLICT (kind, value_key) DO NOTHING
                    """, logger: logger)
            }
        }
        if !plan.reversals.isEmpty {
            try await connection.query("""
                UPDATE sluice.chargebacks SET reversed_at = coalesce(reversed_at, now()) WHERE unique_id = ANY(\(plan.reversals)::text[])
                """, logger: logger)
        }
    }
}
