/// A token-bucket rate limit, as a value: `ratePerSecond` tokens a second, at most `burst` saved up.
///
/// The bucket starts full. It is kept as the theoretical arrival time of the next token (the
/// GCRA form of a token bucket): the level is `burst − (theoreticalArrival − now) / interval`,
/// refilled by the time that passed, and every step is exact `Duration` arithmetic, so a long
/// run does not drift above the rate through rounding. The interval is rounded up, never down.
///
/// ```swift
/// var bucket = TokenBucket(ratePerSecond: 100, burst: 10)
/// bucket.take(at: now)   // .granted, ten times; then .wait(.milliseconds(10))
/// ```
public struct TokenBucket: Sendable, Hashable {
    public enum TakeResult: Sendable, Hashable {
        /// A token was taken: call now.
        case granted
        /// No token: take again after this long. Nothing was taken or reserved.
        case wait(Duration)
    }

    /// Tokens added per second.
    public let ratePerSecond: Double
    /// The most tokens the bucket holds: how many calls may go out at once after a quiet spell.
    public let burst: Int
    /// The time one token takes to come back: 1 / rate, rounded up.
    public let interval: Duration
    /// When the bucket is full again if nothing more is taken; `nil` before the first take.
    private var theoreticalArrival: ContinuousClock.Instant?

    /// - Parameters:
    ///   - ratePerSecond: greater than zero and finite.
    ///   - burst: at least 1; smaller values count as 1.
    public init(ratePerSecond: Double, burst: Int) {
        precondition(ratePerSecond > 0 && ratePerSecond.isFinite, "a token bucket needs a positive, finite rate")
        self.ratePerSecond = ratePerSecond
        self.burst = max(burst, 1)
        self.interval = Self.interval(forRate: ratePerSecond)
    }

    /// Takes one token at `now`, or says how long until one is there.
    public mutating func take(at now: ContinuousClock.Instant) -> TakeResult {
        let arrival = max(theoreticalArrival ?? now, now)
        // `arrival − now` is the debt: the time the tokens already taken still need to refill.
        let debt = now.duration(to: arrival)
        let tolerance = interval * (burst - 1)
        guard debt <= tolerance else { return .wait(debt - tolerance) }
        theoreticalArrival = arrival + interval
        return .granted
    }

    /// The tokens in the bucket at `now`, between 0 and `burst` (fractions count the refill under way).
    public func available(at now: ContinuousClock.Instant) -> Double {
        guard let theoreticalArrival, theoreticalArrival > now else { return Double(burst) }
        let debt = now.duration(to: theoreticalArrival)
        return max(Double(burst) - debt / interval, 0)
    }

    private static func interval(forRate rate: Double) -> Duration {
        let seconds = 1 / rate
        let whole = seconds.rounded(.down)
        guard whole < Double(Int64.max) else { return .seconds(Int64.max) }
        // The fraction in attoseconds, rounded up: rounding never makes the rate faster.
        let attoseconds = min(((seconds - whole) * 1e18).rounded(.up), 1e18 - 1)
        return Duration(secondsComponent: Int64(whole), attosecondsComponent: Int64(attoseconds))
    }
}
