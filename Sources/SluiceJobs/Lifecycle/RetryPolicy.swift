/// How long a failed job waits before its next attempt: jittered exponential backoff, as a value.
///
/// The delay after attempt `n` (1-based) is `base + unit · 2^n`, capped at `maxDelay`, then
/// multiplied by a factor drawn uniformly from `1 − jitter … 1 + jitter` and capped again. The
/// defaults are Oban's: 15 s + 2^n s with ±10 % jitter, so attempt 1 waits about 17 s, attempt 5
/// about 47 s, attempt 10 about 17 min and attempt 16 about 18 h; the cap of 24 h keeps later
/// attempts from waiting for weeks. The jitter spreads out jobs that failed together (a gateway
/// that was down), so they do not all come back in the same second.
///
/// ```swift
/// let policy = RetryPolicy(base: .milliseconds(100), unit: .milliseconds(50), jitter: 0)
/// policy.delay(afterAttempt: 2)   // 300 ms
/// ```
public struct RetryPolicy: Sendable, Hashable {
    /// The constant part of every delay.
    public var base: Duration
    /// What `2^attempt` is multiplied by.
    public var unit: Duration
    /// No delay is longer than this, jitter included.
    public var maxDelay: Duration
    /// The relative spread of the delay, from 0 (none) to 1; 0.1 is ±10 %.
    public var jitter: Double

    public init(base: Duration = .seconds(15), unit: Duration = .seconds(1), maxDelay: Duration = .seconds(86_400), jitter: Double = 0.1) {
        self.base = base
        self.unit = unit
        self.maxDelay = maxDelay
        self.jitter = min(max(jitter, 0), 1)
    }

    /// Oban's: 15 s + 2^attempt s, ±10 %, at most 24 h.
    public static let standard = RetryPolicy()

    /// The delay after `attempt` before jitter: `base + unit · 2^attempt`, at most `maxDelay`.
    public func nominalDelay(afterAttempt attempt: Int) -> Duration {
        // Past 2^62 every delay is beyond any cap; the estimate in Double keeps the exact
        // arithmetic below from overflowing.
        let exponent = min(max(attempt, 0), 62)
        let estimate = base.seconds + unit.seconds * Double(sign: .plus, exponent: exponent, significand: 1)
        guard estimate < maxDelay.seconds else { return maxDelay }
        return min(base + unit * (Int64(1) << exponent), maxDelay)
    }

    /// The shortest and longest delay after `attempt`, jitter included.
    public func delayRange(afterAttempt attempt: Int) -> ClosedRange<Duration> {
        let nominal = nominalDelay(afterAttempt: attempt)
        let low = max(nominal * (1 - jitter), .zero)
        let high = min(nominal * (1 + jitter), maxDelay)
        return low ... max(low, high)
    }

    /// The delay after `attempt`, with jitter drawn from `generator` (inject a seeded one in tests).
    public func delay(afterAttempt attempt: Int, using generator: inout some RandomNumberGenerator) -> Duration {
        let nominal = nominalDelay(afterAttempt: attempt)
        guard jitter > 0 else { return nominal }
        let factor = Double.random(in: (1 - jitter) ... (1 + jitter), using: &generator)
        return min(max(nominal * factor, .zero), maxDelay)
    }

    /// The delay after `attempt`, with jitter from the system's generator.
    public func delay(afterAttempt attempt: Int) -> Duration {
        var generator = SystemRandomNumberGenerator()
        return delay(afterAttempt: attempt, using: &generator)
    }
}

extension Duration {
    /// The duration in seconds, as SQL intervals and arithmetic take it.
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
