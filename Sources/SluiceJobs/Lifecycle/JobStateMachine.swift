/// The life of one job, as a value: events in, actions out.
///
/// A worker feeds it what happened to the job it claimed (the handler returned or threw, a
/// heartbeat found the lease gone, shutdown ran out of time) and the queue performs the action it
/// returns; the rescuer feeds it `leaseExpired` for a job whose worker vanished. Every decision
/// about retries (backoff, when a job is dead) is taken here, so it is tested without a database.
///
/// ```
/// waiting(available | retryable) ─claimed→ running(attempt + 1)
/// running ─heartbeat(ok)→ running                     keepWorking
///         ─heartbeat(lost)→ lost                      stopWorking: another owns it, write nothing
///         ─succeeded→ finished(completed)             markCompleted
///         ─failed / leaseExpired, attempts left→ waiting(retryable)   scheduleRetry(after: backoff)
///         ─failed / leaseExpired, no attempts left→ finished(dead)    markDead
///         ─failedPermanently→ finished(dead)                            markDead
///         ─released→ waiting(available), the attempt not counted      release
/// waiting, running ─cancelRequested→ finished(cancelled)              markCancelled
/// ```
public struct JobStateMachine: Sendable, Hashable {
    public enum State: Sendable, Hashable {
        /// Waiting to be claimed: `available` or `retryable`.
        case waiting(JobState)
        /// A worker runs attempt number `attempt`.
        case running
        /// Over: `completed`, `dead` or `cancelled`.
        case finished(JobState)
        /// This worker lost the lease: someone else owns the job now, and what it stores is
        /// not this worker's to decide.
        case lost
    }

    public enum Event: Sendable, Hashable {
        /// A worker claimed the job (the attempt counts from here).
        case claimed
        /// A heartbeat extended the lease (`true`) or found it gone (`false`).
        case heartbeat(ok: Bool)
        /// The handler returned.
        case succeeded
        /// The handler threw; `error` is kept as the job's `last_error`.
        case failed(error: String)
        /// The handler threw an error no retry can fix (`JobFailedPermanently`): dead at once.
        case failedPermanently(error: String)
        /// The lease of `owner` expired while the job was running: its worker died or stalled.
        case leaseExpired(owner: String)
        /// The worker gives the job back without finishing it (graceful shutdown ran out of time).
        case released
        /// An operator cancelled the job.
        case cancelRequested
    }

    public enum Action: Sendable, Hashable {
        /// Run the handler, and heartbeat while it runs.
        case startWorking
        case keepWorking
        /// The lease is gone: stop the handler and write nothing about the job.
        case stopWorking
        case markCompleted
        /// Store `retryable` with `run_after = now + after` and the error.
        case scheduleRetry(after: Duration, error: String)
        /// Store `dead` with the error: every attempt was used.
        case markDead(error: String)
        /// Store `available` again, `run_after = now`, not counting the attempt.
        case release
        case markCancelled
        case none
    }

    public private(set) var state: State
    /// Attempts started so far, the running one included.
    public private(set) var attempt: Int
    public let maxAttempts: Int
    public let policy: RetryPolicy

    /// A job as stored: `state` with `attempt` attempts started.
    public init(state: JobState, attempt: Int, maxAttempts: Int, policy: RetryPolicy) {
        switch state {
        case .available, .retryable: self.state = .waiting(state)
        case .running: self.state = .running
        case .completed, .dead, .cancelled: self.state = .finished(state)
        }
        self.attempt = attempt
        self.maxAttempts = max(maxAttempts, 1)
        self.policy = policy
    }

    /// A job a worker has just claimed: running its attempt `job.attempt`.
    public init(claimed job: ClaimedJob, policy: RetryPolicy) {
        self.init(state: .running, attempt: job.attempt, maxAttempts: job.maxAttempts, policy: policy)
    }

    /// What `sluice.jobs.state` holds after the actions so far, or `nil` once the lease was lost.
    public var storedState: JobState? {
        switch state {
        case .waiting(let state), .finished(let state): state
        case .running: .running
        case .lost: nil
        }
    }

    /// Whether a failure now would leave attempts for a retry.
    public var hasAttemptsLeft: Bool { attempt < maxAttempts }

    /// Handles `event`, drawing backoff jitter from the system's generator.
    public mutating func handle(_ event: Event) -> Action {
        var generator = SystemRandomNumberGenerator()
        return handle(event, using: &generator)
    }

    /// Handles `event`, drawing backoff jitter from `generator` (a seeded one makes it repeatable).
    public mutating func handle(_ event: Event, using generator: inout some RandomNumberGenerator) -> Action {
        switch (state, event) {
        case (.waiting, .claimed):
            attempt += 1
            state = .running
            return .startWorking

        case (.running, .heartbeat(ok: true)):
            return .keepWorking
        case (.running, .heartbeat(ok: false)):
            state = .lost
            return .stopWorking

        case (.running, .succeeded):
            state = .finished(.completed)
            return .markCompleted
        case (.running, .failed(let error)):
            return attemptFailed(error, using: &generator)
        case (.running, .failedPermanently(let error)):
            state = .finished(.dead)
            return .markDead(error: error)
        case (.running, .leaseExpired(let owner)):
            return attemptFailed("the lease of \(owner) expired before the job finished: its worker stopped or stalled", using: &generator)

        case (.running, .released):
            attempt = max(attempt - 1, 0)
            state = .waiting(.available)
            return .release

        case (.waiting, .cancelRequested), (.running, .cancelRequested):
            state = .finished(.cancelled)
            return .markCancelled

        case (.waiting, _), (.running, .claimed), (.finished, _), (.lost, _):
            return .none
        }
    }

    private mutating func attemptFailed(_ error: String, using generator: inout some RandomNumberGenerator) -> Action {
        guard hasAttemptsLeft else {
            state = .finished(.dead)
            return .markDead(error: error)
        }
        state = .waiting(.retryable)
        return .scheduleRetry(after: policy.delay(afterAttempt: attempt, using: &generator), error: error)
    }
}
