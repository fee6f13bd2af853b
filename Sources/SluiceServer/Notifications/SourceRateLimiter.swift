import SluiceStages
import Synchronization

/// A token bucket per source address: `ratePerSecond` notifications a second each, with a
/// burst of a second's worth. The table forgets addresses whose bucket is full again, so it
/// stays small whatever the number of senders.
public final class SourceRateLimiter: Sendable {
    public let ratePerSecond: Double
    private let buckets = Mutex<[String: TokenBucket]>([:])
    /// Past this many addresses, full buckets are dropped before a new one is added.
    private let pruneAbove = 4096

    public init(ratePerSecond: Double) {
        self.ratePerSecond = ratePerSecond
    }

    /// Whether `address` may send one more now.
    public func admit(_ address: String, now: ContinuousClock.Instant = .now) -> Bool {
        buckets.withLock { buckets in
            if buckets[address] == nil, buckets.count >= pruneAbove {
                buckets = buckets.filter { $0.value.available(at: now) < Double($0.value.burst) }
            }
            var bucket = buckets[address] ?? TokenBucket(ratePerSecond: ratePerSecond, burst: max(Int(ratePerSecond), 1))
            defer { buckets[address] = bucket }
            if case .granted = bucket.take(at: now) { return true }
            return false
        }
    }
}
