import SluiceTestSupport
import SluiceStages
import Testing

struct ProviderRetryPolicyTests {
    let policy = ProviderRetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(100), maxDelay: .seconds(1), jitter: 0, maxRetryAfter: .seconds(30))

    @Test(arguments: [
        ProviderFailure.status(500), .status(502), .status(503), .status(504), .status(599),
        .status(429), .timeout, .connection,
    ])
    func serverErrorsThrottlingTimeoutsAndBrokenConnectionsAreRetried(failure: ProviderFailure) {
        #expect(failure.isRetryable)
        #expect(failure.countsAgainstProvider)
        #expect(policy.decision(after: failure, attempt: 1) == .retry(after: .milliseconds(100)))
    }

    @Test(arguments: [ProviderFailure.status(400), .status(401), .status(403), .status(404), .status(408), .status(422), .status(302), .invalidAnswer])
    func otherFailuresAreNotRetried(failure: ProviderFailure) {
        #expect(!failure.isRetryable)
        #expect(policy.decision(after: failure, attempt: 1) == .giveUp(.notRetryable))
    }

    @Test func aRequestTheProviderRefusesIsNotHeldAgainstIt() {
        #expect(!ProviderFailure.status(400).countsAgainstProvider)
        #expect(!ProviderFailure.status(404).countsAgainstProvider)
        #expect(ProviderFailure.invalidAnswer.countsAgainstProvider, "an unreadable answer is the provider's fault")
    }

    @Test func theBackoffDoublesUpToItsCap() {
        let long = ProviderRetryPolicy(maxAttempts: 10, baseDelay: .milliseconds(100), maxDelay: .seconds(1), jitter: 0)
        let delays = (1 ... 6).map { long.decision(after: .timeout, attempt: $0) }
        #expect(delays == [100, 200, 400, 800, 1_000, 1_000].map { ProviderRetryPolicy.Decision.retry(after: .milliseconds($0)) })
        #expect(long.nominalDelay(afterAttempt: 10_000) == .seconds(1), "a huge attempt does not overflow")
    }

    @Test func theLastAttemptsFailureGivesUp() {
        #expect(policy.decision(after: .status(503), attempt: 3) == .retry(after: .milliseconds(400)))
        #expect(policy.decision(after: .status(503), attempt: 4) == .giveUp(.attemptsExhausted))
        #expect(ProviderRetryPolicy(maxAttempts: 1).decision(after: .timeout, attempt: 1) == .giveUp(.attemptsExhausted))
    }

    @Test func retryAfterReplacesTheBackoffWithoutJitter() {
        let jittered = ProviderRetryPolicy(jitter: 0.5)
        var generator = SeededGenerator(seed: 5)
        #expect(jittered.decision(after: .status(429, retryAfter: .seconds(2)), attempt: 1, using: &generator) == .retry(after: .seconds(2)))
        #expect(jittered.decision(after: .status(503, retryAfter: .zero), attempt: 2, using: &generator) == .retry(after: .zero))
    }

    @Test func retryAfterIsCapped() {
        #expect(policy.decision(after: .status(429, retryAfter: .seconds(3_600)), attempt: 1) == .retry(after: .seconds(30)))
        #expect(policy.decision(after: .status(429, retryAfter: .seconds(Int64.max)), attempt: 1) == .retry(after: .seconds(30)))
    }

    @Test func retryAfterDoesNotBuyAttempts() {
        #expect(policy.decision(after: .status(429, retryAfter: .seconds(1)), attempt: 4) == .giveUp(.attemptsExhausted))
    }

    @Test func jitterStaysInItsRangeAndSpreadsCallsThatFailedTogether() {
        let jittered = ProviderRetryPolicy(maxAttempts: 5, baseDelay: .milliseconds(200), maxDelay: .seconds(5), jitter: 0.5)
        let range = jittered.delayRange(afterAttempt: 2)
        #expect(range == .milliseconds(200) ... .milliseconds(600))
        var generator = SeededGenerator(seed: 42)
        var delays: [Duration] = []
        for _ in 0 ..< 200 {
            guard case .retry(let delay) = jittered.decision(after: .status(502), attempt: 2, using: &generator) else {
                Issue.record("a 502 is retried")
                return
            }
            delays.append(delay)
        }
        #expect(delays.allSatisfy(range.contains))
        #expect(Set(delays).count > 150)
    }

    @Test func theSameSeedGivesTheSameDelays() {
        let jittered = ProviderRetryPolicy(maxAttempts: 6, jitter: 0.3)
        var first = SeededGenerator(seed: 7)
        var second = SeededGenerator(seed: 7)
        let a = (1 ... 5).map { jittered.decision(after: .timeout, attempt: $0, using: &first) }
        let b = (1 ... 5).map { jittered.decision(after: .timeout, attempt: $0, using: &second) }
        #expect(a == b)
    }

    @Test func theDefaultsFitTheFiveSecondAnswerLimit() {
        let defaults = ProviderRetryPolicy()
        #expect(defaults.maxAttempts == 3)
        #expect(defaults.delayRange(afterAttempt: 1) == .milliseconds(100) ... .milliseconds(300))
        #expect(defaults.delayRange(afterAttempt: 2) == .milliseconds(200) ... .milliseconds(600))
        #expect(defaults.maxRetryAfter == .seconds(30))
    }
}
