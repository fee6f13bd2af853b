/// The retries of one S3 request, or of one stretch of a resumable read without progress,
/// as a value: each failure gets an ``Action`` (wait and try again, or give up) and says
/// whether the retry should be logged where an operator sees it.
///
/// ```swift
/// var retries = S3RetryState(policy: configuration.retryPolicy, verbose: false, start: .now)
/// switch retries.failed(S3Failure.classify(error), at: .now) {
/// case .retry(let delay, _, _, _): try await Task.sleep(for: delay)
/// case .giveUp: throw …
/// }
/// ```
struct S3RetryState: Sendable {
    /// How a retry is logged.
    enum Announcement: Sendable, Hashable {
        /// At debug level only.
        case quiet
        /// At warning level: every retry, when logging is verbose.
        case eachRetry
        /// At warning level, once: retries have gone on for ``S3RetryPolicy/announceAfter``.
        case stillRetrying
    }

    enum Action: Sendable, Hashable {
        /// Wait `delay`, then make attempt number `attempt`; `elapsed` is the time since the first attempt.
        case retry(delay: Duration, attempt: Int, elapsed: Duration, announcement: Announcement)
        /// Stop after `attempts` attempts over `elapsed`.
        case giveUp(attempts: Int, elapsed: Duration)
    }

    let policy: S3RetryPolicy
    /// Whether every retry is announced (the logger shows debug messages: `-v`).
    let verbose: Bool
    /// When the first attempt (since the last progress) started.
    private(set) var start: ContinuousClock.Instant
    /// Failed attempts since `start`.
    private(set) var failures = 0
    private var announced = false

    init(policy: S3RetryPolicy, verbose: Bool, start: ContinuousClock.Instant) {
        self.policy = policy
        self.verbose = verbose
        self.start = start
    }

    /// Records a failed attempt that ended at `now` and says what to do next.
    mutating func failed(_ failure: S3Failure, at now: ContinuousClock.Instant) -> Action {
        failures += 1
        let elapsed = now - start
        guard failure.isRetryable, failures < policy.maxAttempts else {
            return .giveUp(attempts: failures, elapsed: elapsed)
        }
        let delay = policy.delay(beforeRetry: failures)
        guard elapsed + delay <= policy.maxRetryTime else {
            return .giveUp(attempts: failures, elapsed: elapsed)
        }
        let announcement: Announcement
        if verbose {
            announcement = .eachRetry
        } else if !announced && elapsed >= S3RetryPolicy.announceAfter {
            announced = true
            announcement = .stillRetrying
        } else {
            announcement = .quiet
        }
        return .retry(delay: delay, attempt: failures + 1, elapsed: elapsed, announcement: announcement)
    }

    /// A new request (not a retry) starts at `now`: the clock starts there unless a retry
    /// streak is already running.
    mutating func starting(at now: ContinuousClock.Instant) {
        if failures == 0 { start = now }
    }

    /// A read delivered bytes at `now`: the count and the clock start again.
    mutating func progressed(at now: ContinuousClock.Instant) {
        failures = 0
        start = now
        announced = false
    }
}
