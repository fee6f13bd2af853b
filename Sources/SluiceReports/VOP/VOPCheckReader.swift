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
        let rows: PostgresRowSequence
        do {
            rows = try await connection.query("""
                SELECT source_line, name_sent, iban_masked, outcome, matched_name, score, answered_by, decision, latency_ms,
                    provider, account_type
                FROM sluice.vop_checks
                WHERE run_id = \(runID) AND (\(includeUnverified) OR answered_by <> 'none')
                ORDER BY source_line
                """, logger: logger)
        } catch {
            throw SluiceError(.database, "cannot read the VOP checks of run \(runID.uuidString.lowercased())", underlying: error)
        }
        var count = 0
        do {
            for try await (line, name, iban, outcome, matched, score, answeredBy, decision, latency, provider, accountType) in rows.decode(
                (Int64, String, String, String, String?, Double?, String, String, Double?, String, String).self
            ) {
                try await body(VOPReportRow(
                    line: line, nameSent: name, ibanMasked: iban, outcome: outcome, matchedName: matched, score: score,
                    answeredBy: answeredBy, decision: decision, latencyMs: latency, provider: provider, accountType: accountType))
                count += 1
            }
        } catch let error as SluiceError {
            throw error
        } catch let error as PSQLError {
            throw SluiceError(.database, "cannot read the VOP checks of run \(runID.uuidString.lowercased())", underlying: error)
        }
        return count
    }
}
