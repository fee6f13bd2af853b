import Foundation
import PostgresNIO
import SluiceCore

extension RunStore {
    /// Who holds a run now, and for how much longer unless they renew.
    public struct LeaseHolder: Sendable, Hashable {
        public var owner: String
        public var secondsLeft: Double
    }

    /// Takes the run's lease when nobody holds it, its holder let it expire, or its holder is
    /// one of `deadOwners` (processes known to be gone). Returns `nil` when another holds it,
    /// or when the run is finished (completed, failed_budget): nobody works on those again.
    public func acquireLease(_ run: RunRecord, owner: String, ttl: Duration, takingOverFrom deadOwners: [String] = []) async throws -> RunLease? {
        let lease = RunLease(runID: run.id, owner: owner, token: UUID(), ttl: ttl)
        let taken = try await database("take the run's lease") { [lease] in
            let rows = try await connection.query("""
                UPDATE sluice.runs SET lease_owner = \(owner), lease_token = \(lease.token),
                    lease_expires_at = now() + \(lease.ttlSeconds) * interval '1 second'
                WHERE id = \(run.id) AND status NOT IN ('completed', 'failed_budget')
                  AND (lease_token IS NULL OR lease_expires_at < now() OR lease_owner = ANY(\(deadOwners)))
                RETURNING id
                """, logger: logger)
            for try await _ in rows { return true }
            return false
        }
        guard taken else { return nil }
        return lease
    }

    /// What a renewal found.
    public enum Renewal: Sendable, Hashable {
        /// Still this holder's lease, extended by its TTL.
        case renewed
        /// Still this holder's, and an operator asked for the run to be cancelled.
        case cancelRequested
        /// Another process holds the run now, or nobody does.
        case lost
    }

    /// Extends the lease by its TTL, and says whether a cancel was asked for.
    public func renew(_ lease: RunLease) async throws -> Renewal {
        try await database("renew the run's lease") {
            let rows = try await connection.query("""
                UPDATE sluice.runs SET lease_expires_at = now() + \(lease.ttlSeconds) * interval '1 second'
                WHERE id = \(lease.runID) AND lease_token = \(lease.token)
                RETURNING cancel_requested_at IS NOT NULL
                """, logger: logger)
            for try await cancel in rows.decode(Bool.self) { return cancel ? .cancelRequested : .renewed }
            return .lost
        }
    }

    /// What an operator's cancel did.
    public enum CancelOutcome: Sendable, Hashable {
        /// A process works on the run; it stops after the batches in flight.
        case requested(owner: String)
        /// Nobody worked on the run; it is `cancelled` now.
        case cancelled
    }

    /// Cancels an unfinished run: the process holding its lease is told at its next renewal;
    /// a run nobody holds is marked `cancelled` at once. What it committed stays.
    public func requestCancel(_ runID: UUID) async throws -> CancelOutcome {
        try await database("cancel the run") {
            let idle = try await connection.query("""
                UPDATE sluice.runs SET status = 'cancelled', error = 'cancelled by an operator; what was committed stays',
                    finished_at = now(), updated_at = now(), cancel_requested_at = now()
                WHERE id = \(runID) AND status IN ('created', 'running', 'failed', 'interrupted')
                  AND (lease_token IS NULL OR lease_expires_at < now())
                RETURNING id
                """, logger: logger)
            for try await _ in idle { return .cancelled }
            let held = try await connection.query("""
                UPDATE sluice.runs SET cancel_requested_at = now(), updated_at = now()
                WHERE id = \(runID) AND status IN ('created', 'running', 'failed', 'interrupted') AND lease_token IS NOT NULL
                RETURNING lease_owner
                """, logger: logger)
            for try await owner in held.decode(String.self) { return .requested(owner: owner) }
            throw SluiceError(.runNotResumable, "run \(runID.uuidString.lowercased()) is not unfinished: there is nothing to cancel")
        }
    }

    /// The run's current lease holder, or `nil` when nobody holds it.
    public func leaseHolder(of run: RunRecord) async throws -> LeaseHolder? {
        try await database("read the run's lease") {
            let rows = try await connection.query("""
                SELECT lease_owner, extract(epoch FROM lease_expires_at - now())::float8 FROM sluice.runs
                WHERE id = \(run.id) AND lease_token IS NOT NULL
                """, logger: logger)
            for try await (owner, seconds) in rows.decode((String, Double).self) {
                return LeaseHolder(owner: owner, secondsLeft: seconds)
            }
            return nil
        }
    }

    /// Gives the lease up without changing the run's status.
    public func release(_ lease: RunLease) async throws {
        try await database("give the run's lease up") {
            try await connection.query("""
                UPDATE sluice.runs SET lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL
                WHERE id = \(lease.runID) AND lease_token = \(lease.token)
                """, logger: logger)
        }
    }

    /// Records the run as running under `lease`, counting an attempt when it resumes.
    public func markRunning(_ lease: RunLease, resumed: Bool, node: String) async throws {
        try await fenced(lease, doing: "start the run") {
            try await connection.query("""
                UPDATE sluice.runs SET status = 'running', error = NULL, finished_at = NULL, updated_at = now(),
                    attempts = attempts + \(resumed ? 1 : 0), node = \(node), cancel_requested_at = NULL
                WHERE id = \(lease.runID) AND lease_token = \(lease.token)
                RETURNING id
                """, logger: logger)
        }
    }

    /// Ends the attempt with `status` and gives the lease up. `completed` also sets the
    /// finish time; `failed`, `interrupted` and `cancelled` keep the run resumable.
    ///
    /// A `handOff` is written in the same transaction when the run completes (and only then):
    /// a completed run with a billing section is handed to billing exactly once.
    public func finish(_ lease: RunLease, status: RunStatus, error: String?, timings: [String: Double], handOff: BillingHandOff? = nil) async throws {
        let timingsJSON = String(decoding: try JSONEncoder().encode(timings), as: UTF8.self)
        let finished = status == .completed || status == .cancelled
        let action = "record the run as \(status.rawValue)"
        guard let handOff, status == .completed else {
            try await fenced(lease, doing: action) {
                try await connection.query(Self.finishQuery(lease, status: status, error: error, timingsJSON: timingsJSON, finished: finished), logger: logger)
            }
            return
        }
        let held = try await database(action) {
            try await connection.withTransaction(logger: logger) { connection in
                var held = false
                for try await _ in try await connection.query(
                    Self.finishQuery(lease, status: status, error: error, timingsJSON: timingsJSON, finished: finished), logger: logger) { held = true }
                guard held else { return false }
                try await handOff.write(runID: lease.runID, on: connection, logger: logger)
                return true
            }
        }
        guard held else { throw RunLease.lost(lease.runID, doing: action) }
    }

    private static func finishQuery(_ lease: RunLease, status: RunStatus, error: String?, timingsJSON: String, finished: Bool) -> PostgresQuery {
        """
        UPDATE sluice.runs SET status = \(status.rawValue), updated_at = now(), error = \(error),
            timings = \(timingsJSON)::jsonb, finished_at = CASE WHEN \(finished) THEN now() ELSE NULL END,
            lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL
        WHERE id = \(lease.runID) AND lease_token = \(lease.token)
        RETURNING id
        """
    }

    /// Ends a run that exceeded its error budget: removes every row it loaded into `table` and
    /// marks it `failed_budget`, in one transaction, and gives the lease up. Its rejections and
    /// checkpoints stay, for the report. Until this commits the run is `running`, and rows of a
    /// run count as loaded only once it is `completed`; if the process dies first, the resumed
    /// run finds the budget exceeded again and finishes the job.
    public func failBudget(_ lease: RunLease, reason: String, table: TableName?, timings: [String: Double]) async throws {
        let timingsJSON = String(decoding: try JSONEncoder().encode(timings), as: UTF8.self)
        try await database("fail run on its error budget") {
            try await connection.withTransaction(logger: logger) { connection in
                let rows = try await connection.query("""
                    UPDATE sluice.runs SET status = 'failed_budget', finished_at = now(), updated_at = now(),
                        error = \(reason), timings = \(timingsJSON)::jsonb,
                        lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL
                    WHERE id = \(lease.runID) AND lease_token = \(lease.token)
                    RETURNING id
                    """, logger: logger)
                var held = false
                for try await _ in rows { held = true }
                guard held else { throw RunLease.lost(lease.runID, doing: "record its error budget") }
                var binds = PostgresBindings()
                binds.append(lease.runID)
                // A dry run wrote no rows: there is nothing to remove (and maybe no table).
                guard let table else { return }
                try await connection.query(PostgresQuery(unsafeSQL: "DELETE FROM \(table.quoted) WHERE run_id = $1", binds: binds), logger: logger)
            }
        }
    }

    /// Runs an UPDATE … RETURNING that names the lease's token; no row back means the lease is lost.
    private func fenced(_ lease: RunLease, doing action: String, _ body: @escaping @Sendable () async throws -> PostgresRowSequence) async throws {
        let held = try await database(action) {
            for try await _ in try await body() { return true }
            return false
        }
        guard held else { throw RunLease.lost(lease.runID, doing: action) }
    }
}
