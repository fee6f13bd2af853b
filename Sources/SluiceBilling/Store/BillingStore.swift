import Crypto
import Foundation
import Logging
import PostgresNIO
import SluiceCore
import SluicePostgres
import SluiceStages

/// Billing's tables: the runs handed to billing, their attempts and skips, and the debtor
/// profiles the rules read and change. Every statement is short and stands alone or in one
/// transaction, so it works behind PgBouncer in transaction pooling mode.
public struct BillingStore: Sendable {
    public let source: any ConnectionSource
    let logger: Logger

    public init(source: any ConnectionSource, logger: Logger) {
        self.source = source
        self.logger = logger
    }

    /// The advisory lock that serialises planning across runs and nodes: the rules read a
    /// profile and write it back, and two runs of one debtor must not both pass a rule.
    static let planningLock: Int64 = 7_352_013

    func withConnection<T: Sendable>(_ action: String, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await source.withConnection(action, stage: .billing, logger: logger, body)
    }

    // MARK: Runs

    /// The billing of `runID`, or `nil` when the run was never handed to billing.
    public func billingRun(_ runID: UUID) async throws -> BillingRunRecord? {
        try await withConnection("read the billing of a run") { connection in
            let rows = try await connection.query("""
                SELECT run_id, pipeline, target_table, settings::text, state, planned_through_line, paused_reason, paused_until,
                       requested_by, created_at, started_at, finished_at
                FROM sluice.billing_runs WHERE run_id = \(runID)
                """, logger: logger)
            for try await (id, pipeline, table, settings, state, planned, pausedReason, pausedUntil, requestedBy, created, started, finished)
                in rows.decode((UUID, String, String, String, String, Int64, String?, Date?, String, Date, Date?, Date?).self) {
                return BillingRunRecord(
                    runID: id, pipeline: pipeline, targetTable: table,
                    settings: try JSONDecoder().decode(BillingSettings.self, from: Data(settings.utf8)),
                    state: BillingRunRecord.State(rawValue: state) ?? .planning, plannedThroughLine: planned, pausedReason: pausedReason,
                    pausedUntil: pausedUntil, requestedBy: requestedBy, createdAt: created, startedAt: started, finishedAt: finished)
            }
            return nil
        }
    }

    /// Records that a worker started (or resumed) the billing.
    public func markStarted(_ runID: UUID) async throws {
        try await withConnection("start a billing") { connection in
            try await connection.query("""
                UPDATE sluice.billing_runs SET started_at = coalesce(started_at, now()), updated_at = now() WHERE run_id = \(runID)
                """, logger: logger)
        }
    }

    /// Every row is decided.
    public func markPlanned(_ runID: UUID) async throws {
        try await setState(runID, .charging, from: .planning)
    }

    /// Every attempt is answered.
    public func markCompleted(_ runID: UUID) async throws {
        try await withConnection("complete a billing") { connection in
            try await connection.query("""
                UPDATE sluice.billing_runs SET state = 'completed', finished_at = now(), updated_at = now(),
                    paused_reason = NULL, paused_until = NULL
                WHERE run_id = \(runID)
                """, logger: logger)
        }
    }

    private func setState(_ runID: UUID, _ state: BillingRunRecord.State, from previous: BillingRunRecord.State) async throws {
        try await withConnection("record the billing as \(state.rawValue)") { connection in
            try await connection.query("""
                UPDATE sluice.billing_runs SET state = \(state.rawValue), updated_at = now()
                WHERE run_id = \(runID) AND state = \(previous.rawValue)
                """, logger: logger)
        }
    }

    /// Says why billing of the run waits (the gateway's breaker is open), or clears it with `nil`.
    public func setPaused(_ runID: UUID, reason: String?, until: Date?) async throws {
        try await withConnection("record a billing pause") { connection in
            try await connection.query("""
                UPDATE sluice.billing_runs SET paused_reason = \(reason), paused_until = \(until), updated_at = now()
                WHERE run_id = \(runID) AND paused_reason IS DISTINCT FROM \(reason)
                """, logger: logger)
        }
    }

    // MARK: Candidates

    /// The columns `table` has, to read a missing role as empty.
    func existingColumns(of table: TableName, on connection: PostgresConnection) async throws -> Set<String> {
        var names = Set<String>()
        let rows = try await connection.query("""
            SELECT column_name FROM information_schema.columns WHERE table_schema = \(table.schema) AND table_name = \(table.name)
            """, logger: logger)
        for try await name in rows.decode(String.self) { names.insert(name) }
        return names
    }

    /// The select list of a candidate row: source line, the roles of `BillingColumns.all` in
    /// order (as text whatever the column's declared type, e.g. `1234.50` for a
    /// `numeric(12,2)` amount; NULL for a column the table lacks), and whether the row is flagged.
    static func candidateSelect(_ columns: BillingColumns, existing: Set<String>) -> String {
        let values = columns.all.map { existing.contains($0.column) ? "t.\(TableName.quote($0.column))::text" : "NULL::text" }
        return (["t.source_line"] + values + [
            "EXISTS (SELECT 1 FROM sluice.rejections r WHERE r.run_id = t.run_id AND r.line = t.source_line AND r.outcome = 'flagged')",
        ]).joined(separator: ", ")
    }

    typealias CandidateRow = (Int64, String?, String?, String?, String?, String?, String?, String?, String?, String?, String?, String?, Bool)

    static func candidate(_ row: CandidateRow) -> BillingCandidate {
        let (line, ibanText, amount, currency, first, last, bic, address, postcode, city, country, external, flagged) = row
        let iban = ibanText.map(ScreeningKeys.compactUpper)
        let hash = iban.map { Array(SHA256.hash(data: Array($0.utf8))) } ?? []
        return BillingCandidate(
            sourceLine: line, iban: iban, ibanHash: hash, amountMinor: amount.flatMap(MinorUnits.parse), currency: currency.nonEmpty,
            firstName: first.nonEmpty, lastName: last.nonEmpty, bic: bic.nonEmpty, address: address.nonEmpty, postcode: postcode.nonEmpty,
            city: city.nonEmpty, country: country.nonEmpty, externalID: external.nonEmpty, flagged: flagged)
    }

    /// Streams the run's loaded rows after `afterLine`, in source-line order, `chunkSize` at a
    /// time. One query over the whole run: the target table has no index on lines, so paging
    /// would scan it once per page.
    public func forEachCandidateChunk(
        of record: BillingRunRecord, afterLine: Int64, chunkSize: Int, _ body: ([BillingCandidate]) async throws -> Void
    ) async throws {
        let table = try TableName(record.targetTable)
        try await withConnection("read the rows to bill") { connection in
            let existing = try await existingColumns(of: table, on: connection)
            let select = Self.candidateSelect(record.settings.columns, existing: existing)
            var binds = PostgresBindings()
            binds.append(record.runID)
            binds.append(afterLine)
            let rows = try await connection.query(PostgresQuery(unsafeSQL: """
                SELECT \(select) FROM \(table.quoted) t
                WHERE t.run_id = $1 AND t.source_line > $2 ORDER BY t.source_line
                """, binds: binds), logger: logger)
            var chunk: [BillingCandidate] = []
            chunk.reserveCapacity(chunkSize)
            for try await row in rows.decode(CandidateRow.self) {
                chunk.append(Self.candidate(row))
                if chunk.count == chunkSize {
                    try await body(chunk)
                    chunk.removeAll(keepingCapacity: true)
                }
            }
            if !chunk.isEmpty { try await body(chunk) }
        }
    }

    /// Attempts of the run not answered yet (planned, or sending when a node died or a call
    /// went unanswered), with the sale each sends, read back from the target table.
    public func openAttempts(of record: BillingRunRecord) async throws -> [PlannedAttempt] {
        let table = try TableName(record.targetTable)
        return try await withConnection("read the open attempts") { connection in
            let existing = try await existingColumns(of: table, on: connection)
            let select = Self.candidateSelect(record.settings.columns, existing: existing)
            var binds = PostgresBindings()
            binds.append(record.runID)
            let rows = try await connection.query(PostgresQuery(unsafeSQL: """
                SELECT a.id, a.status, a.sale_requests, a.model, a.transaction_id, \(select)
                FROM sluice.billing_attempts a JOIN \(table.quoted) t ON t.run_id = a.run_id AND t.source_line = a.source_line
                WHERE a.run_id = $1 AND a.status IN ('planned', 'sending') ORDER BY a.id
                """, binds: binds), logger: logger)
            var attempts: [PlannedAttempt] = []
            for try await row in rows {
                let cells = row.makeRandomAccess()
                let id = try cells[0].decode(Int64.self)
                let status = try cells[1].decode(String.self)
                let requests = try cells[2].decode(Int.self)
                let model = try cells[3].decode(String.self)
                let transactionID = try cells[4].decode(String.self)
                let text = { (index: Int) throws -> String? in try cells[index].decode(String?.self) }
                let candidate = Self.candidate((
                    try cells[5].decode(Int64.self), try text(6), try text(7), try text(8), try text(9), try text(10), try text(11),
                    try text(12), try text(13), try text(14), try text(15), try text(16), try cells[17].decode(Bool.self)))
                guard let sale = SaleBuilder(settings: record.settings).sale(for: candidate, transactionID: transactionID) else { continue }
                attempts.append(PlannedAttempt(
                    id: id, sourceLine: candidate.sourceLine, status: AttemptStatus(rawValue: status) ?? .sending, saleRequests: requests,
                    model: BillingModel(rawValue: model) ?? .legacy, sale: sale))
            }
            return attempts
        }
    }
}

extension Optional where Wrapped == String {
    /// `nil` for an empty or blank value.
    var nonEmpty: String? {
        guard let value = self?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        return value
    }
}
