import Foundation

extension JobQueue {
    /// Deletes up to `limit` jobs that finished (`completed` or `cancelled`) before `completedBefore`,
    /// and `dead` ones that finished before `deadBefore` (kept longer: someone should look at
    /// them). Returns how many went. Finished rows are churn: left alone they bloat the table
    /// and its indexes (River, Oban and solid_queue all prune).
    ///
    /// A pruned job's dedupe key is free again; what stops a second load of an object version
    /// is the run's identity and `sluice.objects`, not the job.
    @discardableResult
    public func prune(completedBefore: Date, deadBefore: Date, limit: Int = 1000) async throws -> Int {
        try await withConnection("prune finished jobs") { connection in
            let rows = try await connection.query("""
                DELETE FROM sluice.jobs WHERE id IN (
                    SELECT id FROM sluice.jobs
                    WHERE (state IN ('completed', 'cancelled') AND finished_at < \(completedBefore))
                       OR (state = 'dead' AND finished_at < \(deadBefore))
                    LIMIT \(limit)
                )
                RETURNING id
                """, logger: logger)
            var count = 0
            for try await _ in rows.decode(Int64.self) { count += 1 }
            return count
        }
    }
}
