/// Whether and when to call a payee-verification provider again after a failed call, as a value.
///
/// Retryable failures (`ProviderFailure.isRetryable`: 5xx, 429, timeouts, connection errors)
/// are retried until `maxAttempts` calls were made. The wait after attempt `n` (1-based) is
/// `baseDelay · 2^(n−1)`, capped at `maxDelay`, times a factor drawn uniformly from
/// `1 − jitter … 1 + jitter`, capped again. A `Retry-After` from the provider replaces that
/// wait, cut to `maxRetryAfter`; it is not jittered, because the calls that come back together
/// still pass the stage's token bucket one by one.
///
/// ```swift
/// let policy = ProviderRetryPolicy(jitter: 0)
/// policy.decision(after: .status(503), attempt: 1)                         // .retry(after: .milliseconds(200))
/// policy.decision(after: .status(429, retryAfter: .seconds(2)), attempt: 1) // .retry(after: .seconds(2))
/// policy.decision(after: .status(400), attempt: 1)                         // .giveUp(.notRetryable)
/// ```
public struct ProviderRetryPolicy: Sendable, Hashable {
    public enum Decision: Sendable, Hashable {
        /// Call again after this long.
        case retry(after: Duration)
        /// Stop: the row's verification is `unavailable`.
        case giveUp(GiveUpReason)
    }

    public enum GiveUpReason: Sendable, Hashable {
        /// Another attempt would fail the same way (a 4xx other than 429, an unreadable answer).
        case notRetryable
        /// `maxAttempts` calls were made.
        case attemptsExhausted
    }

    /// Calls per row, the first one included; 1 means no retries.
    public var maxAttempts: Int
    /// The wait after the first attempt, before jitter.
    public var baseDelay: Duration
    /// No backoff is longer than this, jitter included.
    public var maxDelay: Duration
    /// The relative spread of the backoff, from 0 (none) to 1; 0.5 is ±50 %.
    public var jitter: Double
    /// The longest `Retry-After` honoured; a longer one is cut to this.
    public var maxRetryAfter: Duration

    /// The defaults fit EPC VOP's 5 s answer limit: three calls, 200 ms then 400 ms (±50 %)
    /// between them, a provider's `Retry-After` honoured up to 30 s.
    public init(maxAttempts: Int = 3, baseDelay: Duration = .milliseconds(200), maxDelay: Duration = .seconds(5), jitter: Double = 0.5, maxRetryAfter: Duration = .seconds(30)) {
        self.maxAttempts = max(maxAttempts, 1)
        self.baseDelay = max(baseDelay, .zero)
        self.maxDelay = max(maxDelay, .zero)
        self.jitter = jitter.isNaN ? 0 : min(max(jitter, 0), 1)
        self.maxRetryAfter = max(maxRetryAfter, .zero)
    }

    /// The backoff after `attempt` before jitter: `baseDelay · 2^(attempt−1)`, at most `maxDelay`.
    public func nominalDelay(afterAttempt attempt: Int) -> Duration {
        let exponent = min(max(attempt - 1, 0), 62)
        // Checked in Double first, so `2^exponent` cannot overflow the exact product below.
        guard baseDelay.inSeconds * Double(sign: .plus, exponent: exponent, significand: 1) < maxDelay.inSeconds else { return maxDelay }
        return min(baseDelay * (Int64(1) << exponent), maxDelay)
    }

    /// The shortest and longest backoff after `attempt`, jitter included.
    public func delayRange(afterAttempt attempt: Int) -> ClosedRange<Duration> {
        let nominal = nominalDelay(afterAttempt: attempt)
        let low = max(nominal * (1 - jitter), .zero)
        return low ... max(low, min(nominal * (1 + jitter), maxDelay))
    }

    /// What to do after attempt number `attempt` (1-based) failed with `failure`, drawing the
    /// jitter from `generator` (a seeded one makes it repeatable).
    public func decision(after failure: ProviderFailure, attempt: Int, using generator: inout some RandomNumberGenerator) -> Decision {
        guard failure.isRetryable else { return .giveUp(.notRetryable) }
        guard attempt < maxAttempts else { return .giveUp(.attemptsExhausted) }
        if let retryAfter = failure.retryAfter {
            return .retry(after: min(max(retryAfter, .zero), maxRetryAfter))
        }
        let nominal = nominalDelay(afterAttempt: attempt)
        guard jitter > 0 else { return .retry(after: nominal) }
        let factor = Double.random(in: (1 - jitter) ... (1 + jitter), using: &generator)
        return .retry(after: min(max(nominal * factor, .zero), maxDelay))
    }

    /// What to do after attempt `attempt` failed, with jitter from the system's generator.
    public func decision(after failure: ProviderFailure, attempt: Int) -> Decision {
        var generator = SystemRandomNumberGenerator()
        return decision(after: failure, attempt: attempt, using: &generator)
    }
}
