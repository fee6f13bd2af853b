import SluiceTestSupport
import SluiceStages
import Testing

struct TokenBucketTests {
    let start = ContinuousClock.now

    @Test func aFullBucketGrantsTheBurstAtOnceThenSaysHowLongToWait() {
        var bucket = TokenBucket(ratePerSecond: 100, burst: 10)
        for _ in 1 ... 10 {
            #expect(bucket.take(at: start) == .granted)
        }
        #expect(bucket.take(at: start) == .wait(.milliseconds(10)))
        #expect(bucket.take(at: start + .milliseconds(4)) == .wait(.milliseconds(6)), "a wait takes nothing")
        #expect(bucket.take(at: start + .milliseconds(10)) == .granted)
        #expect(bucket.take(at: start + .milliseconds(10)) == .wait(.milliseconds(10)))
    }

    @Test func tokensRefillWithElapsedTimeUpToTheBurst() {
        var bucket = TokenBucket(ratePerSecond: 2, burst: 4)
        for _ in 1 ... 4 { #expect(bucket.take(at: start) == .granted) }
        #expect(bucket.available(at: start) == 0)
        #expect(bucket.available(at: start + .milliseconds(750)) == 1.5)
        #expect(bucket.available(at: start + .seconds(60)) == 4, "a quiet minute saves no more than the burst")
        let later = start + .seconds(60)
        for _ in 1 ... 4 { #expect(bucket.take(at: later) == .granted) }
        #expect(bucket.take(at: later) == .wait(.milliseconds(500)))
    }

    @Test func aBurstOfOneSpacesEveryCall() {
        var bucket = TokenBucket(ratePerSecond: 4, burst: 0)
        #expect(bucket.burst == 1)
        #expect(bucket.take(at: start) == .granted)
        #expect(bucket.take(at: start + .milliseconds(100)) == .wait(.milliseconds(150)))
        #expect(bucket.take(at: start + .milliseconds(250)) == .granted)
    }

    @Test func slowRatesWaitWholeSeconds() {
        var bucket = TokenBucket(ratePerSecond: 0.5, burst: 1)
        #expect(bucket.interval == .seconds(2))
        #expect(bucket.take(at: start) == .granted)
        #expect(bucket.take(at: start) == .wait(.seconds(2)))
    }

    /// Callers that take as soon as they are told they may, 10,000 times at 100/s with a burst
    /// of 10: no span of time ever holds more than rate · span + burst grants, and the whole
    /// takes as long as the rate says, not longer.
    @Test func tenThousandTakesNeverExceedTheRateAndBurst() {
        let rate = 100.0
        let burst = 10
        var bucket = TokenBucket(ratePerSecond: rate, burst: burst)
        var now = start
        var grants: [Double] = []
        while grants.count < 10_000 {
            switch bucket.take(at: now) {
            case .granted: grants.append(start.duration(to: now).secondsValue)
            case .wait(let wait):
                #expect(wait > .zero)
                now += wait
            }
        }
        Self.expectWithinRate(grants, rate: rate, burst: burst)
        let elapsed = grants.last! - grants.first!
        #expect(abs(elapsed - Double(10_000 - burst) / rate) < 1e-6, "the bucket keeps the rate, and no slower")
    }

    /// Callers arriving at random times, with quiet spells that refill the bucket.
    @Test func irregularCallersNeverExceedTheRateAndBurst() {
        let rate = 37.0
        let burst = 5
        var bucket = TokenBucket(ratePerSecond: rate, burst: burst)
        var generator = SeededGenerator(seed: 12)
        var now = start
        var grants: [Double] = []
        for _ in 0 ..< 5_000 {
            now += .milliseconds(Int.random(in: 0 ... 60, using: &generator))
            if Int.random(in: 0 ..< 200, using: &generator) == 0 { now += .seconds(3) }
            switch bucket.take(at: now) {
            case .granted: grants.append(start.duration(to: now).secondsValue)
            case .wait(let wait):
                #expect(wait > .zero && wait <= bucket.interval)
            }
        }
        #expect(grants.count > 1_000)
        Self.expectWithinRate(grants, rate: rate, burst: burst)
    }

    /// Every span between two grants, up to 300 grants long, holds at most rate · span + burst.
    static func expectWithinRate(_ grants: [Double], rate: Double, burst: Int) {
        var worst = -Double.infinity
        for end in grants.indices {
            for first in max(0, end - 300) ... end {
                let count = Double(end - first + 1)
                worst = max(worst, count - (rate * (grants[end] - grants[first]) + Double(burst)))
            }
        }
        // 1e-6 absorbs the rounding of the check's own floating-point arithmetic.
        #expect(worst <= 1e-6, "a span held \(worst) grants more than the rate allows")
    }
}

extension Duration {
    fileprivate var secondsValue: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
