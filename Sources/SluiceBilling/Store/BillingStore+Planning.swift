import Foundation
import PostgresNIO
import SluiceCore

extension BillingStore {
    /// What planning one chunk decided.
    public struct PlannedChunk: Sendable {
        public var attempts: [PlannedAttempt]
        public var skips: [BillingSkipReason: Int]
    }

    /// Decides `chunk` (rows after `record.plannedThroughLine`, in line order) and records the
    /// decisions, in one transaction: the attempts, the skips, the changed profiles and the
    /// planning checkpoint. A crash loses a whole chunk or nothing; the checkpoint is fenced on
    /// its previous value, so two workers cannot both plan the same rows.
    ///
    /// - Returns: the new attempts, to charge, and the skips by reason.
    public func plan(_ chunk: [BillingCandidate], of record: BillingRunRecord, after previousLine: Int64, now: Date) async throws -> PlannedChunk {
        guard let last = chunk.last?.sourceLine else { return PlannedChunk(attempts: [], skips: [:]) }
        let rules = record.settings.rules
        let builder = SaleBuilder(settings: record.settings)
        return try await withConnection("plan billing attempts") { connection in
            try await connection.withTransaction(logger: logger) { connection in
                try await connection.query("SELECT pg_advisory_xact_lock(\(Self.planningLock))", logger: logger)
                var profiles = try await lockProfiles(Set(chunk.map(\.ibanHash)).filter { $0.count == 32 }, on: connection)
                var changed = Set<[UInt8]>()
                var attempts = AttemptColumns()
                var skips = SkipColumns()
                var pending: [(BillingCandidate, SDDSaleModel)] = []
                for row in chunk {
                    let transactionID = TransactionIDs.forAttempt(runID: record.runID, sourceLine: row.sourceLine)
                    switch rules.decide(row, profile: profiles[row.ibanHash], transactionID: transactionID, now: now) {
                    case .charge(let model, let profile):
                        guard let sale = builder.sale(for: row, transactionID: transactionID) else {
                            skips.append(row, reason: .invalidRow, detail: "the row cannot make a sale")
                            continue
                        }
                        profiles[row.ibanHash] = profile
                        changed.insert(row.ibanHash)
                        attempts.append(row, model: model, transactionID: transactionID, terminal: record.settings.terminal, currency: sale.currency)
                        pending.append((row, SDDSaleModel(sale: sale, model: model)))
                    case .skip(let reason, let detail):
                        skips.append(row, reason: reason, detail: detail)
                    }
                }
                let ids = try await insertAttempts(attempts, runID: record.runID, on: connection)
                try await insertSkips(skips, runID: record.runID, on: connection)
                try await saveProfiles(changed.map { ($0, profiles[$0]!) }, on: connection)
                let moved = try await connection.query("""
                    UPDATE sluice.billing_runs SET planned_through_line = \(last), updated_at = now()
                    WHERE run_id = \(record.runID) AND planned_through_line = \(previousLine)
                    RETURNING run_id
                    """, logger: logger)
                var held = false
                for try await _ in moved { held = true }
                guard held else {
                    throw SluiceError(.database, "another worker planned the billing of run \(record.runID) past line \(previousLine)", stage: .billing)
                }
                let planned = pending.compactMap { row, sale -> PlannedAttempt? in
                    guard let id = ids[row.sourceLine] else { return nil }
                    return PlannedAttempt(id: id, sourceLine: row.sourceLine, status: .planned, saleRequests: 0, model: sale.model, sale: sale.sale)
                }
                return PlannedChunk(attempts: planned, skips: skips.counts)
            }
        }
    }

    private struct SDDSaleModel {
        var sale: SaleDetails
        var model: BillingModel
    }

    /// Locks and reads the profiles of `hashes` that exist.
    private func lockProfiles(_ hashes: Set<[UInt8]>, on connection: PostgresConnection) async throws -> [[UInt8]: DebtorProfile] {
        guard !hashes.isEmpty else { return [:] }
        let hex = hashes.map(Self.hex)
        var profiles: [[UInt8]: DebtorProfile] = [:]
        let rows = try await connection.query("""
            SELECT encode(iban_hash, 'hex'), model, next_bill_at, charged_minor, open_transaction_id, active
            FROM sluice.debtor_profiles WHERE iban_hash = ANY(ARRAY(SELECT decode(h, 'hex') FROM unnest(\(hex)::text[]) AS h))
            ORDER BY iban_hash FOR UPDATE
            """, logger: logger)
        for try await (hash, model, next, charged, open, active) in rows.decode((String, String, Date?, Int64, String?, Bool).self) {
            profiles[Self.bytes(hex: hash)] = DebtorProfile(
                model: BillingModel(rawValue: model) ?? .legacy, nextBillAt: next, chargedMinor: charged, openTransactionID: open, active: active)
        }
        return profiles
    }

    private func insertAttempts(_ columns: AttemptColumns, runID: UUID, on connection: PostgresConnection) async throws -> [Int64: Int64] {
        guard !columns.lines.isEmpty else { return [:] }
        let rows = try await connection.query("""
            INSERT INTO sluice.billing_attempts
                (run_id, source_line, iban_hash, iban_masked, amount_minor, currency, model, transaction_id, terminal, status)
            SELECT \(runID), u.line, decode(u.hash, 'hex'), u.masked, u.amount, u.currency, u.model, u.transaction_id, u.terminal, 'planned'
            FROM unnest(\(columns.lines)::int8[], \(columns.hashes)::text[], \(columns.masked)::text[], \(columns.amounts)::int8[],
                        \(columns.currencies)::text[], \(columns.models)::text[], \(columns.transactionIDs)::text[], \(columns.terminals)::text[])
                AS u(line, hash, masked, amount, currency, model, transaction_id, terminal)
            ON CONFLICT (run_id, source_line) WHERE source_line IS NOT NULL DO NOTHING
            RETURNING source_line, id
            """, logger: logger)
        var ids: [Int64: Int64] = [:]
        for try await (line, id) in rows.decode((Int64, Int64).self) { ids[line] = id }
        return ids
    }

    private func insertSkips(_ columns: SkipColumns, runID: UUID, on connection: PostgresConnection) async throws {
        guard !columns.lines.isEmpty else { return }
        try await connection.query("""
            INSERT INTO sluice.billing_skips (run_id, source_line, iban_masked, amount_minor, model, reason, detail)
            SELECT \(runID), u.line, nullif(u.masked, ''), nullif(u.amount, -1), nullif(u.model, ''), u.reason, u.detail
            FROM unnest(\(columns.lines)::int8[], \(columns.masked)::text[], \(columns.amounts)::int8[], \(columns.models)::text[],
                        \(columns.reasons)::text[], \(columns.details)::text[]) AS u(line, masked, amount, model, reason, detail)
            ON CONFLICT (run_id, source_line) DO NOTHING
            """, logger: logger)
    }

    private func saveProfiles(_ profiles: [([UInt8], DebtorProfile)], on connection: PostgresConnection) async throws {
        guard !profiles.isEmpty else { return }
        let hashes = profiles.map { Self.hex($0.0) }
        let models = profiles.map { $0.1.model.rawValue }
        let charged = profiles.map { $0.1.chargedMinor }
        let open = profiles.map { $0.1.openTransactionID ?? "" }
        try await connection.query("""
            INSERT INTO sluice.debtor_profiles (iban_hash, model, charged_minor, open_transaction_id)
            SELECT decode(u.hash, 'hex'), u.model, u.charged, nullif(u.open, '')
            FROM unnest(\(hashes)::text[], \(models)::text[], \(charged)::int8[], \(open)::text[]) AS u(hash, model, charged, open)
            ON CONFLICT (iban_hash) DO UPDATE SET
                charged_minor = excluded.charged_minor, open_transaction_id = excluded.open_transaction_id, updated_at = now()
            """, logger: logger)
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func bytes(hex: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var high: UInt8?
        for char in hex.utf8 {
            let value: UInt8 = char >= 97 ? char - 87 : char - 48
            if let h = high {
                bytes.append(h << 4 | value)
                high = nil
            } else {
                high = value
            }
        }
        return bytes
    }
}
