import Foundation
import Logging
import PostgresNIO
import SluiceBilling
import SluiceCore
import SluiceGenesis
import SluicePostgres

/// Asks the gateway what became of charges and applies its word through the same ledger as
/// notifications (`ObservationLedger`), so a status learnt twice is applied once:
///
/// - `reconcile(attemptID:)`: one attempt, now (an operator's "reconcile now");
/// - `reconcilePending(now:)`: the pending attempts due for a poll, one by one within each
///   terminal's rate;
/// - `refreshByDate(terminal:range:)`: every transaction of a terminal in a date range;
/// - `syncChargebacks(terminal:range:)`: every chargeback posted in a date range.
///
/// ```swift
/// let reconciler = Reconciler(source: pool, makeGateway: { terminal in try client(for: terminal) },
///                             policy: ChargebackPolicy(), settings: try .fromEnvironment(), logger: logger)
/// let summary = try await reconciler.reconcilePending()
/// ```
public struct Reconciler: Sendable {
    /// The gateway client of a terminal; throws when the terminal cannot be reached (no credentials).
    public typealias GatewayFactory = @Sendable (String) throws -> any PaymentGateway

    let source: any ConnectionSource
    let makeGateway: GatewayFactory
    let ledger: ObservationLedger
    public let settings: ReconciliationSettings
    let metrics: ReconciliationMetrics
    let logger: Logger
    let limiters: TerminalRateLimiters

    public init(
        source: any ConnectionSource, makeGateway: @escaping GatewayFactory, policy: ChargebackPolicy, settings: ReconciliationSettings,
        metrics: ReconciliationMetrics = .init(), logger: Logger
    ) {
        self.source = source
        self.makeGateway = makeGateway
        self.ledger = ObservationLedger(policy: policy, logger: logger)
        self.settings = settings
        self.metrics = metrics
        self.logger = logger
        self.limiters = TerminalRateLimiters(ratePerSecond: settings.ratePerSecond)
    }

    /// The columns of an attempt a reconcile needs.
    struct AttemptRow: Sendable {
        var id: Int64
        var status: AttemptStatus
        var terminal: String?
        var uniqueID: String?
        var transactionID: String?

        /// The gateway's own id when the attempt has one: it names the transaction unambiguously.
        var reference: TransactionReference? {
            if let uniqueID { return .uniqueID(uniqueID) }
            return transactionID.map { .transactionID($0) }
        }
    }

    // MARK: One attempt

    /// Reconciles one attempt now: asks the gateway by `unique_id` (else `transaction_id`),
    /// applies the answer (source `reconcile`) and counts the try, in one transaction.
    ///
    /// - Throws: `SluiceError` `not_found` for no such attempt, `invalid_argument` for one never
    ///   sent, `gateway` when the gateway gave no usable answer (the try is still counted).
    public func reconcile(attemptID: Int64) async throws -> AttemptReconcileResult {
        let row = try await source.withConnection("read a billing attempt", stage: "reconcile", logger: logger) { connection in
            let rows = try await connection.query("""
                SELECT id, status, terminal, unique_id, transaction_id FROM sluice.billing_attempts WHERE id = \(attemptID)
                """, logger: logger)
            return try await Self.decodeAttempts(rows).first
        }
        guard let row else { throw SluiceError(.notFound, "no billing attempt \(attemptID)") }
        guard let terminal = row.terminal, row.reference != nil else {
            throw SluiceError(.invalidArgument, "billing attempt \(attemptID) was never sent to the gateway: there is nothing to reconcile")
        }
        let gateway = try gateway(terminal)
        return try await reconcile(row, terminal: terminal, gateway: gateway)
    }

    /// Asks the gateway about `row` within the terminal's rate and applies the answer; the try
    /// is counted whatever the answer, a failed call included.
    func reconcile(_ row: AttemptRow, terminal: String, gateway: any PaymentGateway) async throws -> AttemptReconcileResult {
        guard let reference = row.reference else { throw SluiceError(.invalidArgument, "billing attempt \(row.id) has no gateway reference") }
        try await limiters.acquire(terminal)
        let transaction: GatewayTransaction?
        do {
            transaction = try await gateway.reconcile(reference)
            // An error answer without the gateway's id refuses the request; it is not the charge's status.
            if let answer = transaction, answer.status == .error, answer.uniqueID == nil {
                throw GatewayError(.malformedAnswer, endpoint: "reconcile", transactionID: row.transactionID,
                                   detail: "the gateway refused the reconcile: code \(answer.code.map(String.init) ?? "none")")
            }
        } catch let error as CancellationError {
            throw error
        } catch {
            try await countTry(row.id)
            throw SluiceError(
                .gateway, "cannot reconcile billing attempt \(row.id) through terminal \(terminal)", stage: "reconcile", underlying: error)
        }
        let (result, plan) = try await source.withConnection("apply a reconcile", stage: "reconcile", logger: logger) { connection in
            try await connection.withTransaction(logger: logger) { connection in
                try await apply(transaction, to: row, reference: reference, on: connection)
            }
        }
        if let plan { metrics.processed(plan, source: .reconcile) }
        return result
    }

    /// Applies the gateway's answer about `row` and counts the try, on `connection` in a transaction.
    private func apply(
        _ transaction: GatewayTransaction?, to row: AttemptRow, reference: TransactionReference, on connection: PostgresConnection
    ) async throws -> (AttemptReconcileResult, ObservationPlan?) {
        var previous = row.status
        let locked = try await connection.query(
            "SELECT status FROM sluice.billing_attempts WHERE id = \(row.id) FOR UPDATE", logger: logger)
        for try await status in locked.decode(String.self) { previous = AttemptStatus(rawValue: status) ?? previous }
        var outcome = ObservationOutcome.unknownTransaction
        var detail: String
        var plan: ObservationPlan?
        if let transaction {
            let applied = try await ledger.apply([GatewayObservation(transaction: transaction, source: .reconcile)], on: connection)
            plan = applied
            let result = applied.results.first { $0.attemptID == row.id } ?? applied.results.first
            outcome = result?.outcome ?? .unknownTransaction
            detail = result?.detail ?? ""
        } else {
            switch reference {
            case .uniqueID(let id): detail = "the gateway has no transaction with unique_id \(id)"
            case .transactionID(let id): detail = "the gateway has no transaction with transaction_id \(id)"
            }
        }
        let counted = try await connection.query("""
            UPDATE sluice.billing_attempts SET reconcile_tries = reconcile_tries + 1, last_reconciled_at = now()
            WHERE id = \(row.id)
            RETURNING status, reconcile_tries
            """, logger: logger)
        var status = previous
        var tries = 0
        for try await (text, count) in counted.decode((String, Int).self) {
            status = AttemptStatus(rawValue: text) ?? status
            tries = count
        }
        let result = AttemptReconcileResult(
            attemptID: row.id, previousStatus: previous, status: status, outcome: outcome, gatewayStatus: transaction?.status.rawValue,
            detail: detail, reconcileTries: tries)
        return (result, plan)
    }

    /// Counts a reconcile try whose call failed, so an attempt the gateway never answers stops
    /// being polled after `maxTries`.
    private func countTry(_ id: Int64) async throws {
        try await source.withConnection("count a reconcile try", stage: "reconcile", logger: logger) { connection in
            try await connection.query("""
                UPDATE sluice.billing_attempts SET reconcile_tries = reconcile_tries + 1, last_reconciled_at = now() WHERE id = \(id)
                """, logger: logger)
        }
    }

    // MARK: Pending attempts

    /// Polls the pending attempts due: sent (or attempted) more than `pendingAge` before `now`,
    /// fewer than `maxTries` reconciles, never-reconciled first, then the longest unpolled
    /// (`billing_attempts_pending` order), at most `batchLimit`, one by one within each
    /// terminal's rate. Each poll is applied and counted, even when the gateway says nothing
    /// new; an attempt that reaches a final status is no longer pending, so no longer polled. A
    /// failed call is counted and the pass goes on. Records the reconciliation lag gauge.
    ///
    /// - Parameter terminal: only this terminal's attempts; every terminal's when `nil`.
    public func reconcilePending(now: Date = Date(), terminal: String? = nil) async throws -> PassSummary {
        let cutoff = now.addingTimeInterval(-Self.seconds(settings.pendingAge))
        let (due, oldest) = try await source.withConnection("find pending attempts", stage: "reconcile", logger: logger) { connection in
            let rows = try await connection.query("""
                SELECT id, status, terminal, unique_id, transaction_id FROM sluice.billing_attempts
                WHERE status = 'pending' AND coalesce(sent_at, attempted_at) < \(cutoff) AND reconcile_tries < \(settings.maxTries)
                  AND terminal IS NOT NULL AND (unique_id IS NOT NULL OR transaction_id IS NOT NULL)
                  AND (\(terminal)::text IS NULL OR terminal = \(terminal))
                ORDER BY last_reconciled_at NULLS FIRST, sent_at, id
                LIMIT \(settings.batchLimit)
                """, logger: logger)
            let due = try await Self.decodeAttempts(rows)
            let lag = try await connection.query("""
                SELECT coalesce(extract(epoch FROM \(now)::timestamptz - min(coalesce(sent_at, attempted_at))), 0)::float8
                FROM sluice.billing_attempts
                WHERE status = 'pending' AND coalesce(sent_at, attempted_at) < \(cutoff) AND reconcile_tries < \(settings.maxTries)
                  AND (\(terminal)::text IS NULL OR terminal = \(terminal))
                """, logger: logger)
            var oldest = 0.0
            for try await seconds in lag.decode(Double.self) { oldest = seconds }
            return (due, oldest)
        }
        metrics.reconciliationLag(seconds: oldest)
        var summary = PassSummary(oldestDueSeconds: oldest)
        var gateways: [String: any PaymentGateway] = [:]
        var unreachable: Set<String> = []
        for row in due {
            try Task.checkCancellation()
            guard let terminal = row.terminal, !unreachable.contains(terminal) else { continue }
            if !summary.terminals.contains(terminal) { summary.terminals.append(terminal) }
            let gateway: any PaymentGateway
            if let made = gateways[terminal] {
                gateway = made
            } else {
                do {
                    gateway = try self.gateway(terminal)
                    gateways[terminal] = gateway
                } catch {
                    // No call was made: the attempts keep their tries for when the terminal is set up.
                    unreachable.insert(terminal)
                    summary.failures.append("terminal \(terminal): \(Self.describe(error))")
                    logger.error("cannot reconcile a terminal's pending attempts", metadata: ["terminal": "\(terminal)", "error": "\(Self.describe(error))"])
                    continue
                }
            }
            do {
                let result = try await reconcile(row, terminal: terminal, gateway: gateway)
                summary.record([ObservationResult(outcome: result.outcome, attemptID: row.id, detail: result.detail)])
            } catch let error as SluiceError where error.code == .gateway {
                summary.callsFailed += 1
                logger.warning("reconcile failed; polled again next pass", metadata: [
                    "attempt": "\(row.id)", "terminal": "\(terminal)", "error": "\(error.underlying.map { String(describing: $0) } ?? error.reason)",
                ])
            }
        }
        logger.info("pending attempts reconciled", metadata: [
            "due": "\(due.count)", "applied": "\(summary.count(.applied))", "failed": "\(summary.callsFailed)",
        ])
        return summary
    }

    // MARK: By date

    /// Reads every page of the terminal's transactions in `range` and applies each (source
    /// `by_date`), one transaction per page.
    ///
    /// - Throws: `SluiceError` `gateway` when a page cannot be read; the pages before it stay applied.
    public func refreshByDate(terminal: String, range: GatewayDateRange) async throws -> PassSummary {
        let gateway = try gateway(terminal)
        return try await pages(terminal: terminal, source: .byDate, endpoint: "reconcile/by_date") { page in
            let answer = try await gateway.reconcileByDate(range, page: page)
            return (answer.items.map { GatewayObservation(transaction: $0, source: .byDate) }, answer.isLast || answer.items.isEmpty)
        }
    }

    /// Reads every page of the chargebacks posted in `range` (`chargebackPageSize` a page) and
    /// applies each as a chargeback (source `chargeback_sync`): the chargeback's record, the
    /// profile's deactivation and, for the policy's codes, the blacklist, as a notification would.
    ///
    /// - Throws: `SluiceError` `gateway` when a page cannot be read; the pages before it stay applied.
    public func syncChargebacks(terminal: String, range: GatewayDateRange) async throws -> PassSummary {
        let gateway = try gateway(terminal)
        let perPage = settings.chargebackPageSize
        return try await pages(terminal: terminal, source: .chargebackSync, endpoint: "chargebacks/by_date") { page in
            let answer = try await gateway.chargebacksByDate(range, page: page, perPage: perPage)
            return (answer.items.map { GatewayObservation(chargeback: $0) }, answer.isLast || answer.items.isEmpty)
        }
    }

    /// Reads pages from 1 until `read` says the last was read, applying each page's observations
    /// in one transaction.
    private func pages(
        terminal: String, source changeSource: ChangeSource, endpoint: String,
        read: (Int) async throws -> (observations: [GatewayObservation], isLast: Bool)
    ) async throws -> PassSummary {
        var summary = PassSummary(terminals: [terminal])
        // A gateway that keeps saying "more" must not keep a job busy for ever.
        let maxPages = 10_000
        for page in 1...maxPages {
            try Task.checkCancellation()
            try await limiters.acquire(terminal)
            let answer: (observations: [GatewayObservation], isLast: Bool)
            do {
                answer = try await read(page)
            } catch let error as CancellationError {
                throw error
            } catch {
                summary.callsFailed += 1
                throw SluiceError(.gateway, "cannot read page \(page) of \(endpoint) for terminal \(terminal)", stage: "reconcile", underlying: error)
            }
            summary.pagesRead += 1
            if !answer.observations.isEmpty {
                let plan = try await source.withConnection("apply a page of \(endpoint)", stage: "reconcile", logger: logger) { connection in
                    try await connection.withTransaction(logger: logger) { connection in
                        try await ledger.apply(answer.observations, on: connection)
                    }
                }
                metrics.processed(plan, source: changeSource)
                summary.record(plan.results)
            }
            if answer.isLast { break }
        }
        logger.info("gateway pages applied", metadata: [
            "terminal": "\(terminal)", "endpoint": "\(endpoint)", "pages": "\(summary.pagesRead)", "applied": "\(summary.count(.applied))",
        ])
        return summary
    }

    // MARK: Terminals

    /// The terminals billing has used: the distinct `settings->>'terminal'` of `sluice.billing_runs`.
    public func terminals() async throws -> [String] {
        try await source.withConnection("list billing terminals", stage: "reconcile", logger: logger) { connection in
            let rows = try await connection.query("""
                SELECT DISTINCT settings->>'terminal' FROM sluice.billing_runs
                WHERE coalesce(settings->>'terminal', '') <> '' ORDER BY 1
                """, logger: logger)
            var terminals: [String] = []
            for try await terminal in rows.decode(String.self) { terminals.append(terminal) }
            return terminals
        }
    }

    /// Runs `pass` for `terminal`, its errors thrown; or, when it is `nil`, for each of
    /// `terminals()`, adding the summaries up: a terminal that fails is named in `failures` and
    /// the others still run.
    public func eachTerminal(_ terminal: String?, _ pass: (String) async throws -> PassSummary) async throws -> PassSummary {
        if let terminal { return try await pass(terminal) }
        let terminals = try await self.terminals()
        var total = PassSummary()
        for terminal in terminals {
            try Task.checkCancellation()
            do {
                total.merge(try await pass(terminal))
            } catch let error as CancellationError {
                throw error
            } catch {
                total.terminals.append(terminal)
                total.failures.append("terminal \(terminal): \(Self.describe(error))")
                if let error = error as? SluiceError, error.code == .gateway { total.callsFailed += 1 }
                logger.error("reconciliation of a terminal failed", metadata: ["terminal": "\(terminal)", "error": "\(Self.describe(error))"])
            }
        }
        return total
    }

    // MARK: Helpers

    /// The gateway of `terminal`; a factory's own error becomes an `invalid_argument` naming the terminal.
    func gateway(_ terminal: String) throws -> any PaymentGateway {
        do {
            return try makeGateway(terminal)
        } catch let error as SluiceError {
            throw error
        } catch {
            throw SluiceError(.invalidArgument, "cannot reach the gateway of terminal \(terminal)", stage: "reconcile", underlying: error)
        }
    }

    static func decodeAttempts(_ rows: PostgresRowSequence) async throws -> [AttemptRow] {
        var attempts: [AttemptRow] = []
        for try await (id, status, terminal, uniqueID, transactionID) in rows.decode((Int64, String, String?, String?, String?).self) {
            attempts.append(AttemptRow(
                id: id, status: AttemptStatus(rawValue: status) ?? .pending, terminal: terminal, uniqueID: uniqueID, transactionID: transactionID))
        }
        return attempts
    }

    /// An error as one line for summaries and logs: a Sluice error's reason with its cause.
    static func describe(_ error: any Error) -> String {
        guard let error = error as? SluiceError else { return String(describing: error) }
        return error.description + (error.underlying.map { ": \($0)" } ?? "")
    }

    static func seconds(_ duration: Duration) -> TimeInterval {
        TimeInterval(duration.components.seconds) + TimeInterval(duration.components.attoseconds) / 1e18
    }
}
