import SluiceTestSupport
import SluiceJobs
import Testing

struct RetryPolicyTests {
    @Test(arguments: [(1, 17.0), (2, 19.0), (5, 47.0), (10, 1_039.0), (16, 65_551.0)])
    func standardPolicyWaitsFifteenSecondsPlusTwoToTheAttempt(attempt: Int, seconds: Double) {
        #expect(RetryPolicy.standard.nominalDelay(afterAttempt: attempt) == .seconds(seconds))
    }

    @Test func delaysAreCappedAtTheMaximum() {
        #expect(RetryPolicy.standard.nominalDelay(afterAttempt: 17) == .seconds(86_400))
        #expect(RetryPolicy.standard.nominalDelay(afterAttempt: 10_000) == .seconds(86_400), "a huge attempt does not overflow")
        var generator = SeededGenerator(seed: 1)
        for _ in 0 ..< 100 {
            #expect(RetryPolicy.standard.delay(afterAttempt: 40, using: &generator) <= .seconds(86_400))
        }
    }

    @Test func jitterStaysWithinItsRangeAndSpreadsTheDelays() {
        let policy = RetryPolicy.standard
        let range = policy.delayRange(afterAttempt: 5)
        #expect(range == .seconds(47) * 0.9 ... .seconds(47) * 1.1)
        var generator = SeededGenerator(seed: 42)
        let delays = (0 ..< 200).map { _ in policy.delay(afterAttempt: 5, using: &generator) }
        #expect(delays.allSatisfy(range.contains))
        #expect(Set(delays).count > 150, "jobs that failed together do not come back together")
    }

    @Test func theSameSeedGivesTheSameDelays() {
        var first = SeededGenerator(seed: 7)
        var second = SeededGenerator(seed: 7)
        let policy = RetryPolicy(base: .milliseconds(100), unit: .milliseconds(50), jitter: 0.5)
        let a = (1 ... 5).map { policy.delay(afterAttempt: $0, using: &first) }
        let b = (1 ... 5).map { policy.delay(afterAttempt: $0, using: &second) }
        #expect(a == b)
    }

    @Test func noJitterGivesTheNominalDelay() {
        let policy = RetryPolicy(base: .milliseconds(100), unit: .milliseconds(50), jitter: 0)
        var generator = SeededGenerator(seed: 3)
        #expect(policy.delay(afterAttempt: 2, using: &generator) == .milliseconds(300))
        #expect(policy.delayRange(afterAttempt: 2) == .milliseconds(300) ... .milliseconds(300))
    }
}
