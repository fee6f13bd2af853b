import Foundation
import Logging
import PostgresNIO
import SluiceCore

extension JobQueue {
    static let columns = """
        id, kind, payload::text, state, attempt, max_attempts, run_after, lease_owner, lease_expires_at,
        last_error, dedupe_key, created_at, updated_at, finished_at
        """

    /// One job, or `nil` when there is none with this id.
    public func job(_ id: Int64) async throws -> JobRecord? {
        try await withConnection("read a job") { connection in
            try await Self.decode(connection.query(
                "SELECT \(unescaped: Self.columns) FROM sluice.jobs WHERE id = \(id)", logger: logger)).first
        }
    }

    /// Jobs newest first, optionally of one state and kind, `limit` at a time: pass the page's
    /// `nextCursor` as `before` for the next page.
    public func jobs(state: JobState? = nil, kind: String? = nil, before cursor: Int64? = nil, limit: Int = 100) async throws -> JobPage {
        let limit = min(max(limit, 1), 1_000)
        let jobs = try await withConnection("list jobs") { connection in
            try await Self.decode(connection.query("""
                SELECT \(unescaped: Self.columns) FROM sluice.jobs
                WHERE (\(state?.rawValue)::text IS NULL OR state = \(state?.rawValue))
                  AND (\(kind)::text IS NULL OR kind = \(kind))
                  AND (\(cursor)::int8 IS NULL OR id < \(cursor))
                ORDER BY id DESC LIMIT \(limit)
                """, logger: logger))
        }
        return JobPage(jobs: jobs, nextCursor: jobs.count == limit ? jobs.last?.id : nil)
    }

    /// Per kind with unfinished jobs: how many are ready, scheduled for later and running, and how
    /// long the oldest ready job has waited. Reads only the unfinished jobs (the partial indexes).
    public func depth() async throws -> [QueueDepth] {
        try await withConnection("measure the job queue") { connection in
            let rows = try await connection.query("""
                SELECT kind,
                    count(*) FILTER (WHERE state IN ('available', 'retryable') AND run_after <= now()),
                    count(*) FILTER (WHERE state IN ('available', 'retryable') AND run_after > now()),
                    count(*) FILTER (WHERE state = 'running'),
                    coalesce(extract(epoch FROM now() - min(run_after)
                        FILTER (WHERE state IN ('available', 'retryable') AND run_after <= now())), 0)::float8
                FROM sluice.jobs WHERE state IN ('available', 'retryable', 'running')
                GROUP BY kind ORDER BY kind
                """, logger: logger)
            var depths: [QueueDepth] = []
            for try await (kind, ready, scheduled, running, oldest) in rows.decode((String, Int64, Int64, Int64, Double).self) {
                depths.append(QueueDepth(kind: kind, ready: ready, scheduled: scheduled, running: running, oldestReadySeconds: oldest))
            }
            return depths
        }
    }

    static func decode(_ rows: PostgresRowSequence) async throws -> [JobRecord] {
        var result: [JobRecord] = []
        for try await row in rows {
            let column = row.makeRandomAccess()
            let stored = try column[3].decode(String.self)
            result.append(JobRecord(
                id: try column[0].decode(Int64.self),
                kind: try column[1].decode(String.self),
                payload: try column[2].decode(String.self),
                state: JobState(rawValue: stored) ?? .dead,
                attempt: try column[4].decode(Int.self),
                maxAttempts: try column[5].decode(Int.self),
                runAfter: try column[6].decode(Date.self),
                leaseOwner: try column[7].decode(String?.self),
                leaseExpiresAt: try column[8].decode(Date?.self),
                lastError: try column[9].decode(String?.self),
                dedupeKey: try column[10].decode(String?.self),
                createdAt: try column[11].decode(Date.self),
                updatedAt: try column[12].decode(Date.self),
                finishedAt: try column[13].decode(Date?.self)
            ))
        }
        return result
    }
}
