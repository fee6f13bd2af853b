import Foundation
import PostgresNIO
import SluiceCore
import SluicePostgres

extension BillingStore {
    /// The billing of `runID` as it stands, or `nil` when the run was never handed to billing.
    public func summary(of runID: UUID) async throws -> BillingSummary? {
        guard let record = try await billingRun(runID) else { return nil }
        return try await withConnection("summarise a billing") { connection in
            var attempts: [String: Int64] = [:]
            var amounts: [String: Int64] = [:]
            let rows = try await connection.query("""
                SELECT status, count(*), coalesce(sum(amount_minor), 0)::int8 FROM sluice.billing_attempts
                WHERE run_id = \(runID) AND source_line IS NOT NULL GROUP BY status
                """, logger: logger)
            for try await (status, count, amount) in rows.decode((String, Int64, Int64).self) {
                attempts[status] = count
                amounts[status] = amount
            }
            var skipped: [String: Int64] = [:]
            let skips = try await connection.query("""
                SELECT reason, count(*) FROM sluice.billing_skips WHERE run_id = \(runID) GROUP BY reason
                """, logger: logger)
            for try await (reason, count) in skips.decode((String, Int64).self) { skipped[reason] = count }
            return BillingSummary(
                runID: runID, pipeline: record.pipeline, terminal: record.settings.terminal, state: record.state, requestedBy: record.requestedBy,
                createdAt: record.createdAt, startedAt: record.startedAt, finishedAt: record.finishedAt,
                paused: record.pausedReason.map { BillingSummary.Pause(reason: $0, until: record.pausedUntil) },
                plannedThroughLine: record.plannedThroughLine, attempts: attempts, attemptsTotal: attempts.values.reduce(0, +),
                amountsMinor: amounts, skipped: skipped, skippedTotal: skipped.values.reduce(0, +))
        }
    }

    /// One attempt as the API and the report show it (IBAN masked).
    public struct AttemptView: Sendable, Hashable, Encodable {
        public var id: Int64
        public var runID: UUID
        public var sourceLine: Int64
        public var transactionID: String
        public var uniqueID: String?
        public var terminal: String
        public var ibanMasked: String
        public var amountMinor: Int64
        public var currency: String
        public var model: String
        public var status: String
        public var reasonCode: String?
        public var gatewayCode: Int?
        public var gatewayMessage: String?
        public var saleRequests: Int
        public var reconcileTries: Int
        public var attemptedAt: Date
        public var settledAt: Date?

        enum CodingKeys: String, CodingKey {
            case id, terminal, model, status, currency
            case runID = "run_id"
            case sourceLine = "source_line"
            case transactionID = "transaction_id"
            case uniqueID = "unique_id"
            case ibanMasked = "iban_masked"
            case amountMinor = "amount_minor"
            case reasonCode = "reason_code"
            case gatewayCode = "gateway_code"
            case gatewayMessage = "gateway_message"
            case saleRequests = "sale_requests"
            case reconcileTries = "reconcile_tries"
            case attemptedAt = "attempted_at"
            case settledAt = "settled_at"
        }
    }

    /// Attempts, oldest first, after the attempt id `afterID`; by run and status when given.
    public func attempts(runID: UUID?, status: AttemptStatus?, afterID: Int64, limit: Int) async throws -> [AttemptView] {
        try await withConnection("list attempts") { connection in
            let rows = try await connection.query("""
                SELECT id, run_id, source_line, transaction_id, unique_id, terminal, coalesce(iban_masked, ''), coalesce(amount_minor, 0),
                       coalesce(currency, ''), coalesce(model, ''), status, reason_code, gateway_code, gateway_message, sale_requests,
                       reconcile_tries, attempted_at, settled_at
                FROM sluice.billing_attempts
                WHERE transaction_id IS NOT NULL AND id > \(afterID)
                  AND (\(runID)::uuid IS NULL OR run_id = \(runID)) AND (\(status?.rawValue)::text IS NULL OR status = \(status?.rawValue))
                ORDER BY id LIMIT \(limit)
                """, logger: logger)
            var views: [AttemptView] = []
            for try await row in rows {
                let c = row.makeRandomAccess()
                views.append(AttemptView(
                    id: try c[0].decode(Int64.self), runID: try c[1].decode(UUID.self), sourceLine: try c[2].decode(Int64.self),
                    transactionID: try c[3].decode(String.self), uniqueID: try c[4].decode(String?.self), terminal: try c[5].decode(String.self),
                    ibanMasked: try c[6].decode(String.self), amountMinor: try c[7].decode(Int64.self), currency: try c[8].decode(String.self),
                    model: try c[9].decode(String.self), status: try c[10].decode(String.self), reasonCode: try c[11].decode(String?.self),
                    gatewayCode: try c[12].decode(Int?.self), gatewayMessage: try c[13].decode(String?.self),
                    saleRequests: try c[14].decode(Int.self), reconcileTries: try c[15].decode(Int.self),
                    attemptedAt: try c[16].decode(Date.self), settledAt: try c[17].decode(Date?.self)))
            }
            return views
        }
    }

    /// Hands a completed run to billing on request (`billing start`), with the pipeline's
    /// current billing settings. Returns the billing job's id; a run handed over before keeps
    /// its settings and job.
    public func handOff(runID: UUID, pipeline: String, targetTable: String, settings: BillingSettings, requestedBy: String) async throws -> Int64 {
        let json = String(decoding: try JSONEncoder().encode(settings), as: UTF8.self)
        let handOff = BillingHandOff(pipeline: pipeline, targetTable: targetTable, settingsJSON: json, requestedBy: requestedBy)
        return try await withConnection("hand a run to billing") { connection in
            try await connection.withTransaction(logger: logger) { connection in
                let rows = try await connection.query("SELECT status, mode FROM sluice.runs WHERE id = \(runID) FOR SHARE", logger: logger)
                var status: String?
                var mode = "load"
                for try await (value, runMode) in rows.decode((String, String).self) { (status, mode) = (value, runMode) }
                guard let status else { throw SluiceError(.runNotFound, "no run \(runID)", stage: .billing) }
                guard mode == RunMode.load.rawValue else {
                    throw SluiceError(.notBillable, "run \(runID) is a \(mode == "dry_run" ? "dry run" : "test run"), which loaded nothing to bill", stage: .billing)
                }
                guard status == "completed" else {
                    throw SluiceError(.notBillable, "run \(runID) is \(status); only a completed run is billed", stage: .billing)
                }
                return try await handOff.write(runID: runID, on: connection, logger: logger)
            }
        }
    }
}
