import Foundation
import Logging
import PostgresNIO
import SluiceCore

/// Works out a run's `BillingFigures` from `sluice.billing_runs`, `sluice.billing_attempts`
/// and `sluice.billing_skips`, in two queries.
public struct BillingFiguresQuery: Sendable {
    let connection: PostgresConnection
    let logger: Logger

    public init(connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    /// Whether the run was handed to billing (it has a `sluice.billing_runs` row).
    public func isHandedToBilling(_ runID: UUID) async throws -> Bool {
        do {
            let rows = try await connection.query("SELECT 1 FROM sluice.billing_runs WHERE run_id = \(runID)", logger: logger)
            for try await _ in rows { return true }
            return false
        } catch {
            throw SluiceError(.database, "cannot read the billing of run \(runID.uuidString.lowercased())", underlying: error)
        }
    }

    /// The run's figures, or `nil` when it was never handed to billing.
    public func figures(of runID: UUID) async throws -> BillingFigures? {
        do {
            var billing: (terminal: String, state: String)?
            let runs = try await connection.query("""
                SELECT coalesce(settings->>'terminal', ''), state FROM sluice.billing_runs WHERE run_id = \(runID)
                """, logger: logger)
            for try await (terminal, state) in runs.decode((String, String).self) { billing = (terminal, state) }
            guard let billing else { return nil }
            var figures = BillingFigures(
                terminal: billing.terminal, state: billing.state, attempts: 0, skipped: 0, byOutcome: [:], byReason: [:], approvedAmountMinor: 0)
            // One pass over both tables: GROUPING(outcome) is 0 on the per-outcome rows, 1 on the
            // per-reason rows (where outcome is NULL); a reason of NULL (an approved attempt) is not one.
            let counts = try await connection.query("""
                SELECT GROUPING(outcome)::int4, outcome, reason, count(*), coalesce(sum(amount_minor), 0)::int8
                FROM (
                    SELECT status AS outcome, reason_code AS reason, amount_minor FROM sluice.billing_attempts
                    WHERE run_id = \(runID) AND source_line IS NOT NULL
                    UNION ALL
                    SELECT 'skipped', reason, amount_minor FROM sluice.billing_skips WHERE run_id = \(runID)
                ) AS billed
                GROUP BY GROUPING SETS ((outcome), (reason))
                """, logger: logger)
            for try await (grouping, outcome, reason, count, amount) in counts.decode((Int32, String?, String?, Int64, Int64).self) {
                if grouping == 0, let outcome {
                    figures.byOutcome[outcome] = count
                    if outcome == BillingReportRow.skipped { figures.skipped = count } else { figures.attempts += count }
                    if outcome == "approved" { figures.approvedAmountMinor = amount }
                } else if grouping == 1, let reason {
                    figures.byReason[reason] = count
                }
            }
            return figures
        } catch {
            throw SluiceError(.database, "cannot read the billing figures of run \(runID.uuidString.lowercased())", underlying: error)
        }
    }
}
