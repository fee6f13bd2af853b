import Foundation
import Logging
import PostgresNIO
import SluiceCore

extension JobQueue {
    /// Extends the job's lease by its TTL. Returns `false` when the token no longer matches: the
    /// lease expired and the job was rescued, or it was cancelled; the worker must stop.
    public func heartbeat(_ job: ClaimedJob) async throws -> Bool {
        try await withConnection("extend a job's lease") { connection in
            let rows = try await connection.query("""
                UPDATE sluice.jobs SET lease_expires_at = now() + \(job.leaseTTL.seconds) * interval '1 second', updated_at = now()
                WHERE id = \(job.id) AND lease_token = \(job.leaseToken) AND state = 'running'
                RETURNING id
                """, logger: logger)
            for try await _ in rows { return true }
            return false
        }
    }

    /// Records the job as completed. Throws `leaseLost` when this worker no longer holds it.
    public func complete(_ job: ClaimedJob) async throws {
        var machine = JobStateMachine(claimed: job, policy: configuration.retryPolicy)
        try await perform(machine.handle(.succeeded), for: job)
    }

    /// What `fail` stored.
    public enum FailureOutcome: Sendable, Hashable {
        /// `retryable`: the next attempt is not claimed before `after` has passed.
        case retry(after: Duration)
        /// `dead`: that was the last attempt.
        case dead
    }

    /// Records a failed attempt: `retryable` after the retry policy's backoff, or `dead` when it
    /// was the last attempt; `error` is kept as `last_error` either way. Throws `leaseLost` when
    /// this worker no longer holds the job.
    @discardableResult
    public func fail(_ job: ClaimedJob, error: String) async throws -> FailureOutcome {
        var machine = JobStateMachine(claimed: job, policy: configuration.retryPolicy)
        let action = machine.handle(.failed(error: error))
        try await perform(action, for: job)
        if case .scheduleRetry(let delay, _) = action { return .retry(after: delay) }
        return .dead
    }

    /// Gives the job back unfinished (`available`, runnable now), not counting the attempt: for a
    /// graceful shutdown that ran out of time. Throws `leaseLost` when this worker no longer holds it.
    public func release(_ job: ClaimedJob) async throws {
        var machine = JobStateMachine(claimed: job, policy: configuration.retryPolicy)
        try await perform(machine.handle(.released), for: job)
    }

    /// Stores what the state machine decided for a job this worker holds, fenced by its token.
    func perform(_ action: JobStateMachine.Action, for job: ClaimedJob) async throws {
        let update: PostgresQuery
        let doing: String
        switch action {
        case .markCompleted:
            doing = "complete it"
            update = """
                UPDATE sluice.jobs SET state = 'completed', finished_at = now(), updated_at = now(),
                    lease_token = NULL, lease_expires_at = NULL
                WHERE id = \(job.id) AND lease_token = \(job.leaseToken) AND state = 'running'
                RETURNING id
                """
        case .scheduleRetry(let delay, let error):
            doing = "schedule its retry"
            update = """
                UPDATE sluice.jobs SET state = 'retryable', run_after = now() + \(delay.seconds) * interval '1 second',
                    last_error = \(Self.clip(error)), updated_at = now(), lease_token = NULL, lease_expires_at = NULL
                WHERE id = \(job.id) AND lease_token = \(job.leaseToken) AND state = 'running'
                RETURNING id
                """
        case .markDead(let error):
            doing = "record it as dead"
            update = """
                UPDATE sluice.jobs SET state = 'dead', last_error = \(Self.clip(error)), finished_at = now(), updated_at = now(),
                    lease_token = NULL, lease_expires_at = NULL
                WHERE id = \(job.id) AND lease_token = \(job.leaseToken) AND state = 'running'
                RETURNING id
                """
        case .release:
            doing = "release it"
            update = """
                UPDATE sluice.jobs SET state = 'available', attempt = greatest(attempt - 1, 0), run_after = now(),
                    updated_at = now(), lease_token = NULL, lease_expires_at = NULL
                WHERE id = \(job.id) AND lease_token = \(job.leaseToken) AND state = 'running'
                RETURNING id
                """
        case .startWorking, .keepWorking, .stopWorking, .markCancelled, .none:
            return
        }
        let held = try await withConnection("store what became of job \(job.id)") { connection in
            for try await _ in try await connection.query(update, logger: logger) { return true }
            return false
        }
        guard held else { throw Self.leaseLost(job, doing: doing) }
    }

    /// Moves running jobs whose lease expired (their worker died or stalled past its TTL) back to
    /// `retryable` after the retry policy's backoff, or to `dead` when that was their last
    /// attempt. Safe to run on every node at once: rows are taken with `SKIP LOCKED`.
    @discardableResult
    public func rescueExpired(limit: Int = 500) async throws -> [RescuedJob] {
        let policy = configuration.retryPolicy
        return try await withConnection("rescue jobs whose lease expired") { connection in
            try await connection.withTransaction(logger: logger) { connection in
                let rows = try await connection.query("""
                    SELECT id, kind, attempt, max_attempts, coalesce(lease_owner, '') FROM sluice.jobs
                    WHERE state = 'running' AND lease_expires_at < now()
                    ORDER BY id LIMIT \(limit)
                    FOR UPDATE SKIP LOCKED
                    """, logger: logger)
                var rescued: [RescuedJob] = []
                var ids: [Int64] = [], states: [String] = [], delays: [Double] = [], errors: [String] = []
                for try await (id, kind, attempt, maxAttempts, owner) in rows.decode((Int64, String, Int, Int, String).self) {
                    var machine = JobStateMachine(state: .running, attempt: attempt, maxAttempts: maxAttempts, policy: policy)
                    switch machine.handle(.leaseExpired(owner: owner)) {
                    case .scheduleRetry(let delay, let error):
                        ids.append(id); states.append(JobState.retryable.rawValue); delays.append(delay.seconds); errors.append(error)
                        rescued.append(RescuedJob(id: id, kind: kind, state: .retryable, formerOwner: owner))
                    case .markDead(let error):
                        ids.append(id); states.append(JobState.dead.rawValue); delays.append(0); errors.append(error)
                        rescued.append(RescuedJob(id: id, kind: kind, state: .dead, formerOwner: owner))
                    default:
                        continue
                    }
                }
                guard !ids.isEmpty else { return rescued }
                try await connection.query("""
                    UPDATE sluice.jobs AS j SET state = r.state,
                        run_after = CASE WHEN r.state = 'retryable' THEN now() + r.delay * interval '1 second' ELSE j.run_after END,
                        finished_at = CASE WHEN r.state = 'dead' THEN now() END,
                        last_error = r.error, updated_at = now(), lease_token = NULL, lease_expires_at = NULL
                    FROM unnest(\(ids)::int8[], \(states)::text[], \(delays)::float8[], \(errors)::text[]) AS r(id, state, delay, error)
                    WHERE j.id = r.id
                    """, logger: logger)
                return rescued
            }
        }
    }

    /// What `cancel` found.
    public enum CancelOutcome: Sendable, Hashable {
        /// It was waiting or running and is `cancelled` now. A worker running it finds its lease
        /// gone at its next heartbeat and stops; its writes are refused.
        case cancelled(was: JobState)
        /// It was already over (`completed`, `dead`, `cancelled`); nothing changed.
        case alreadyFinished(JobState)
        case notFound
    }

    /// Cancels a job that is not finished.
    public func cancel(_ id: Int64) async throws -> CancelOutcome {
        let policy = configuration.retryPolicy
        return try await withConnection("cancel a job") { connection in
            try await connection.withTransaction(logger: logger) { connection in
                let rows = try await connection.query(
                    "SELECT state, attempt, max_attempts FROM sluice.jobs WHERE id = \(id) FOR UPDATE", logger: logger)
                var found: (String, Int, Int)?
                for try await row in rows.decode((String, Int, Int).self) { found = row }
                guard let found else { return .notFound }
                let (stored, attempt, maxAttempts) = found
                let state = JobState(rawValue: stored) ?? .dead
                var machine = JobStateMachine(state: state, attempt: attempt, maxAttempts: maxAttempts, policy: policy)
                guard machine.handle(.cancelRequested) == .markCancelled else { return .alreadyFinished(state) }
                try await connection.query("""
                    UPDATE sluice.jobs SET state = 'cancelled', finished_at = now(), updated_at = now(),
                        lease_token = NULL, lease_expires_at = NULL
                    WHERE id = \(id)
                    """, logger: logger)
                return .cancelled(was: state)
            }
        }
    }

    /// An error message as stored: at most 8 KiB, cut at a character boundary.
    static func clip(_ error: String) -> String {
        error.utf8.count <= 8_192 ? error : String(error.prefix(8_000)) + "…"
    }
}
