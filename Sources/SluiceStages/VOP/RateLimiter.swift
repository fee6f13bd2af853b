import Synchronization

/// A `TokenBucket` shared by concurrent callers: `acquire()` waits until a token is there.
/// The payee-verification stage and billing's gateway guard pace their calls with it.
public final class RateLimiter: Sendable {
    private let bucket: Mutex<TokenBucket>

    public init(ratePerSecond: Double, burst: Int) {
        bucket = Mutex(TokenBucket(ratePerSecond: ratePerSecond, burst: burst))
    }

    /// Takes one token, sleeping as long as the bucket says; throws only when cancelled.
    public func acquire() async throws {
        let clock = ContinuousClock()
        while true {
            let wait: Duration? = bucket.withLock { bucket in
                switch bucket.take(at: clock.now) {
                case .granted: return nil
                case .wait(let wait): return wait
                }
            }
            guard let wait else { return }
            try await Task.sleep(for: wait)
        }
    }
}
