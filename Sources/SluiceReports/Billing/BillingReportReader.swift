import Foundation
import Logging
import PostgresNIO
import SluiceCore

/// Reads a run's billing back, row by row, for the billing report: its attempts
/// (`sluice.billing_attempts`) and skipped rows (`sluice.billing_skips`) merged in line order.
public struct BillingReportReader: Sendable {
    let connection: PostgresConnection
    let logger: Logger

    public init(connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    /// Calls `body` with each attempt and skip of the run, by source line.
    ///
    /// One query, both tables `UNION ALL`ed and ordered by line: each side comes in line order
    /// from its `(run_id, source_line)` index, so PostgreSQL can merge them as they stream. The
    /// rows reach `body` one at a time with back-pressure, as `RejectionStore` reads
    /// rejections: memory does not grow with the number of rows. IBAN-shaped text in any
    /// column is masked again on the way out, so no account number reaches a report even if
    /// one was stored in a gateway message.
    ///
    /// - Returns: how many rows were passed to `body`.
    @discardableResult
    nonisolated(nonsending) public func forEachRow(of runID: UUID, _ body: (BillingReportRow) async throws -> Void) async throws -> Int {
        try await connection.forEachReportRow("""
            SELECT source_line, coalesce(iban_masked, '') AS iban, amount_minor, coalesce(currency, '') AS currency,
                coalesce(model, '') AS model, status AS outcome, reason_code AS reason, gateway_message AS detail, transaction_id,
                unique_id, sale_requests, 0 AS kind
            FROM sluice.billing_attempts
            WHERE run_id = \(runID) AND source_line IS NOT NULL
            UNION ALL
            SELECT source_line, coalesce(iban_masked, ''), amount_minor, '', coalesce(model, ''), 'skipped', reason, detail, NULL::text,
                NULL::text, NULL::integer, 1
            FROM sluice.billing_skips
            WHERE run_id = \(runID)
            ORDER BY source_line, kind
            """, logger: logger, failure: "cannot read the billing of run \(runID.uuidString.lowercased())", body
        ) { row in
            let (line, iban, amount, currency, model, outcome, reason, detail, transaction, unique, requests, _) = try row.decode(
                (Int64, String, Int64?, String, String, String, String?, String?, String?, String?, Int32?, Int32).self)
            return BillingReportRow(
                line: line, ibanMasked: IBANTextMasker.mask(iban), amountMinor: amount, currency: currency, model: model,
                outcome: outcome, reason: reason, detail: detail.map { IBANTextMasker.mask($0) }, transactionID: transaction,
                uniqueID: unique, saleRequests: requests.map(Int.init))
        }
    }
}
