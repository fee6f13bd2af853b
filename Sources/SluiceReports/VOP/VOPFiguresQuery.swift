import Foundation
import Logging
import PostgresNIO
import SluiceCore

/// Works out a run's `VOPFigures` from `sluice.vop_checks` in two queries over the run's rows.
public struct VOPFiguresQuery: Sendable {
    let connection: PostgresConnection
    let logger: Logger

    public init(connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    /// The run's figures, or `nil` when it has no check (no VOP stage, or it looked at no row).
    public func figures(of runID: UUID) async throws -> VOPFigures? {
        var byOutcome: [String: Int64] = [:]
        var byAnsweredBy: [String: Int64] = [:]
        var byDecision: [String: Int64] = [:]
        do {
            // One pass: each grouping set leaves the other two columns NULL (none is nullable).
            let counts = try await connection.query("""
                SELECT outcome, answered_by, decision, count(*) FROM sluice.vop_checks WHERE run_id = \(runID)
                GROUP BY GROUPING SETS ((outcome), (answered_by), (decision))
                """, logger: logger)
            for try await (outcome, answeredBy, decision, count) in counts.decode((String?, String?, String?, Int64).self) {
                if let outcome { byOutcome[outcome] = count }
                if let answeredBy { byAnsweredBy[answeredBy] = count }
                if let decision { byDecision[decision] = count }
            }
            guard !byOutcome.isEmpty else { return nil }
            var calls: (Int64, Double?, Double?) = (0, nil, nil)
            let latency = try await connection.query("""
                SELECT count(*), avg(latency_ms), percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms)
                FROM sluice.vop_checks WHERE run_id = \(runID) AND answered_by = 'provider'
                """, logger: logger)
            for try await row in latency.decode((Int64, Double?, Double?).self) { calls = row }
            return VOPFigures(
                checks: byOutcome.values.reduce(0, +), byOutcome: byOutcome, byAnsweredBy: byAnsweredBy, byDecision: byDecision,
                providerCalls: calls.0, meanLatencyMs: calls.1, p95LatencyMs: calls.2)
        } catch {
            throw SluiceError(.database, "cannot read the VOP figures of run \(runID.uuidString.lowercased())", underlying: error)
        }
    }
}
