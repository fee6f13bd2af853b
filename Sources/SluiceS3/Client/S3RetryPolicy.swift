/// How many times, for how long and with what pauses a failed S3 request is tried again.
///
/// The n-th retry waits `backoff × 2ⁿ⁻¹`, at most `maximumBackoff`: with the defaults
/// (200 ms, 5 attempts) the pauses are 0.2, 0.4, 0.8 and 1.6 s. Retries stop after
/// `maxAttempts` attempts in all, or when the next attempt would start later than
/// `maxRetryTime` after the first one.
public struct S3RetryPolicy: Sendable, Hashable {
    /// Attempts in all, the first one included; at least 1.
    public var maxAttempts: Int
    /// How long after the first attempt a retry may still start.
    public var maxRetryTime: Duration
    /// The pause before the first retry.
    public var backoff: Duration

    /// The longest pause between two attempts.
    public static let maximumBackoff: Duration = .seconds(10)
    /// Without verbose logging, retries are announced once they have gone on this long.
    public static let announceAfter: Duration = .seconds(2)

    public init(
        maxAttempts: Int = S3Configuration.Defaults.maxAttempts,
        maxRetryTime: Duration = S3Configuration.Defaults.maxRetryTime,
        backoff: Duration = S3Configuration.Defaults.retryBackoff
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.maxRetryTime = maxRetryTime
        self.backoff = max(.zero, backoff)
    }

    /// The pause before retry number `retry` (1 for the first retry).
    public func delay(beforeRetry retry: Int) -> Duration {
        let exponent = min(max(0, retry - 1), 20)
        return min(backoff * (1 << exponent), Self.maximumBackoff)
    }
}
