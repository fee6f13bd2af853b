import Foundation
import Logging
import PostgresNIO
import SluiceCore

/// Hands a completed run to billing: a `sluice.billing_runs` row and a `billing` job, written on
/// the caller's connection, inside the caller's transaction. `RunStore.finish` writes it in the
/// transaction that marks the run `completed`, so a run is handed over exactly when it completes:
/// a crash before the commit leaves neither, after it both. A second hand-off of the same run
/// (a `billing start` after completion) adds nothing: the run's row and the job's dedupe key
/// are unique.
public struct BillingHandOff: Sendable, Hashable {
    /// The job kind and queue billing workers claim.
    public static let jobKind = "billing"
    public static let jobQueue = "billing"

    public var pipeline: String
    public var targetTable: String
    /// The pipeline's billing settings, as JSON.
    public var settingsJSON: String
    /// Who asked: `run` for a hand-off at completion, else the operator's name.
    public var requestedBy: String
    public var maxJobAttempts: Int

    public init(pipeline: String, targetTable: String, settingsJSON: String, requestedBy: String = "run", maxJobAttempts: Int = 25) {
        self.pipeline = pipeline
        self.targetTable = targetTable
        self.settingsJSON = settingsJSON
        self.requestedBy = requestedBy
        self.maxJobAttempts = maxJobAttempts
    }

    public static func dedupeKey(for runID: UUID) -> String { "billing:\(runID.uuidString.lowercased())" }

    /// Writes the hand-off of `runID`; returns the billing job's id (the existing one when the
    /// run was handed over before).
    @discardableResult
    public func write(runID: UUID, on connection: PostgresConnection, logger: Logger) async throws -> Int64 {
        try await connection.query("""
            INSERT INTO sluice.billing_runs (run_id, pipeline, target_table, settings, requested_by)
            VALUES (\(runID), \(pipeline), \(targetTable), \(settingsJSON)::jsonb, \(requestedBy))
            ON CONFLICT (run_id) DO NOTHING
            """, logger: logger)
        let payload = #"{"run_id":"\#(runID.uuidString.lowercased())"}"#
        let key = Self.dedupeKey(for: runID)
        let rows = try await connection.query("""
            WITH added AS (
                INSERT INTO sluice.jobs (kind, queue, payload, max_attempts, run_after, dedupe_key)
                VALUES (\(Self.jobKind), \(Self.jobQueue), \(payload)::jsonb, \(maxJobAttempts), now(), \(key))
                ON CONFLICT (dedupe_key) DO NOTHING
                RETURNING id)
            SELECT id FROM added UNION ALL SELECT id FROM sluice.jobs WHERE dedupe_key = \(key)
            """, logger: logger)
        var id: Int64?
        for try await found in rows.decode(Int64.self) where id == nil { id = found }
        // Wakes listening workers when the transaction commits; polling covers a miss.
        try await connection.query("SELECT pg_notify('sluice_jobs', \(Self.jobKind))", logger: logger)
        guard let id else { throw SluiceError(.database, "the billing job of run \(runID) was not written") }
        return id
    }
}
