import Foundation
import Logging
import NIOCore
import PostgresNIO
import SluiceCore

/// Reads a run's rejections back, row by row, for reports.
public struct RejectionStore: Sendable {
    let connection: PostgresConnection
    let logger: Logger

    public init(connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    /// Calls `body` with each rejected row of the run, by line, its reasons grouped.
    ///
    /// The rows stream from Postgres with back-pressure (the `(run_id, line)` index gives
    /// them in line order), and only the row being grouped is held: memory does not grow
    /// with the number of rejections.
    ///
    /// - Returns: how many rows were passed to `body`.
    @discardableResult
    public func forEachRejectedRow(of runID: UUID, _ body: (RejectedRecord) async throws -> Void) async throws -> Int {
        try await forEachRow(of: runID, outcome: .rejected, body)
    }

    /// Which rows of `sluice.rejections` to read: rejected rows, or flagged (accepted) ones.
    public enum Outcome: String, Sendable {
        case rejected, flagged
    }

    /// Like `forEachRejectedRow`, for the rows with the given outcome, each with its reasons
    /// (or review codes) grouped.
    @discardableResult
    nonisolated(nonsending) public func forEachRow(of runID: UUID, outcome: Outcome, _ body: (RejectedRecord) async throws -> Void) async throws -> Int {
        let rows: PostgresRowSequence
        do {
            // `ctid` keeps a row's reasons in the order the stages recorded them (rejections are
            // only ever appended); it sorts only within one line, which the index delivers together.
            rows = try await connection.query("""
                SELECT batch_seq, line, byte_offset, code, message, column_name, raw FROM sluice.rejections
                WHERE run_id = \(runID) AND outcome = \(outcome.rawValue)
                ORDER BY line, batch_seq, ctid
                """, logger: logger)
        } catch {
            throw SluiceError(.database, "cannot read the rejections of run \(runID.uuidString.lowercased())", underlying: error)
        }
        var grouper = RejectionGrouper()
        var count = 0
        do {
            for try await (batch, line, offset, code, message, column, raw) in rows.decode((Int, Int64, Int64, String, String, String?, ByteBuffer).self) {
                let reason = RejectedRecord.Reason(code: code, message: message, column: column)
                if let finished = grouper.add(batch: batch, line: line, offset: offset, raw: raw, reason: reason) {
                    try await body(finished)
                    count += 1
                }
            }
        } catch let error as SluiceError {
            throw error
        } catch let error as PSQLError {
            throw SluiceError(.database, "cannot read the rejections of run \(runID.uuidString.lowercased())", underlying: error)
        }
        if let last = grouper.finish() {
            try await body(last)
            count += 1
        }
        return count
    }
}
