import Foundation
import Logging
import PostgresNIO
import SluiceCore

/// Reads a run's payee-verification checks (`sluice.vop_checks`) back, row by row, for the VOP report.
public struct VOPCheckReader: Sendable {
    let connection: PostgresConnection
    let logger: Logger

    public init(connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    /// Calls `body` with each check of the run, by line: the verified ones (answered by the
    /// provider, a shared call or the cache), and with `includeUnverified` also those that were
    /// not verified (`not_sampled`, `over_budget`: answered by `none`).
    ///
    /// The rows stream from PostgreSQL with back-pressure (the primary key gives them in line
    /// order), one at a time, as `RejectionStore` reads rejections: memory does not grow with
    /// the number of checks.
    ///
    /// - Returns: how many rows were passed to `body`.
    @discardableResult
    nonisolated(nonsending) public func forEachCheck(
        of runID: UUID, includeUnverified: Bool, _ body: (VOPReportRow) async throws -> Void
    ) async throws -> Int {
        try await connection.forEachReportRow("""
            SELECT source_line, name_sent, iban_masked, outcome, matched_name, score, answered_by, decision, latency_ms,
                provider, account_type
            FROM sluice.vop_checks
            WHERE run_id = \(runID) AND (\(includeUnverified) OR answered_by <> 'none')
            ORDER BY source_line
            """, logger: logger, failure: "cannot read the VOP checks of run \(runID.uuidString.lowercased())", body
        ) { row in
            let (line, name, iban, outcome, matched, score, answeredBy, decision, latency, provider, accountType) = try row.decode(
                (Int64, String, String, String, String?, Double?, String, String, Double?, String, String).self)
            return VOPReportRow(
                line: line, nameSent: name, ibanMasked: iban, outcome: outcome, matchedName: matched, score: score,
                answeredBy: answeredBy, decision: decision, latencyMs: latency, provider: provider, accountType: accountType)
        }
    }
}
