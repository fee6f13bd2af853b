import Testing

@testable import SluiceS3

/// The retry state machine as a value: when to retry, how long to wait, what to log.
struct S3RetryStateTests {
    static let start = ContinuousClock.now
    static let timeout = S3Failure(isRetryable: true, reason: "timed out")
    static let refused = S3Failure(isRetryable: false, reason: "connection refused", isUnreachable: true)

    @Test func theBackoffDoublesUpToTheMaximum() {
        let policy = S3RetryPolicy(maxAttempts: 20, maxRetryTime: .seconds(600), backoff: .milliseconds(200))
        #expect((1...4).map(policy.delay(beforeRetry:)) == [.milliseconds(200), .milliseconds(400), .milliseconds(800), .milliseconds(1600)])
        #expect(policy.delay(beforeRetry: 10) == S3RetryPolicy.maximumBackoff)
        #expect(policy.delay(beforeRetry: 1000) == S3RetryPolicy.maximumBackoff)
    }

    @Test func aRefusedConnectionGivesUpAtTheFirstAttempt() {
        var state = S3RetryState(policy: S3RetryPolicy(), verbose: false, start: Self.start)
        #expect(state.failed(Self.refused, at: Self.start + .milliseconds(3)) == .giveUp(attempts: 1, elapsed: .milliseconds(3)))
    }

    @Test func retryableFailuresStopAfterMaxAttempts() {
        var state = S3RetryState(policy: S3RetryPolicy(maxAttempts: 3, backoff: .milliseconds(10)), verbose: false, start: Self.start)
        var now = Self.start
        guard case .retry(let first, 2, _, _) = state.failed(Self.timeout, at: now) else { Issue.record("expected a retry"); return }
        now += first
        guard case .retry(let second, 3, _, _) = state.failed(Self.timeout, at: now) else { Issue.record("expected a retry"); return }
        #expect(second == first * 2)
        now += second
        #expect(state.failed(Self.timeout, at: now) == .giveUp(attempts: 3, elapsed: .milliseconds(30)))
    }

    @Test func retriesStopWhenTheNextWouldStartAfterMaxRetryTime() {
        let policy = S3RetryPolicy(maxAttempts: 100, maxRetryTime: .seconds(10), backoff: .seconds(1))
        var state = S3RetryState(policy: policy, verbose: false, start: Self.start)
        // A 5-second timeout, then 1 s of pause: the second attempt starts at 6 s.
        guard case .retry(.seconds(1), 2, .seconds(5), _) = state.failed(Self.timeout, at: Self.start + .seconds(5)) else {
            Issue.record("expected a retry")
            return
        }
        // The second times out at 11 s: a third would start after 10 s.
        #expect(state.failed(Self.timeout, at: Self.start + .seconds(11)) == .giveUp(attempts: 2, elapsed: .seconds(11)))
    }

    @Test func quietRetriesAreAnnouncedOnceAfterAFewSeconds() {
        let policy = S3RetryPolicy(maxAttempts: 10, maxRetryTime: .seconds(60), backoff: .milliseconds(500))
        var state = S3RetryState(policy: policy, verbose: false, start: Self.start)
        var announcements: [S3RetryState.Announcement] = []
        for seconds in [0.5, 1.5, 3.0, 5.0, 8.0] {
            if case .retry(_, _, _, let announcement) = state.failed(Self.timeout, at: Self.start + .seconds(seconds)) {
                announcements.append(announcement)
            }
        }
        #expect(announcements == [.quiet, .quiet, .stillRetrying, .quiet, .quiet])
    }

    @Test func verboseRetriesAreEachAnnounced() {
        var state = S3RetryState(policy: S3RetryPolicy(), verbose: true, start: Self.start)
        guard case .retry(_, _, _, .eachRetry) = state.failed(Self.timeout, at: Self.start) else {
            Issue.record("expected an announced retry")
            return
        }
    }

    @Test func progressStartsTheCountAndTheClockAgain() {
        var state = S3RetryState(policy: S3RetryPolicy(maxAttempts: 2, backoff: .milliseconds(1)), verbose: false, start: Self.start)
        guard case .retry = state.failed(Self.timeout, at: Self.start) else { Issue.record("expected a retry"); return }
        state.progressed(at: Self.start + .seconds(100))
        #expect(state.failures == 0)
        guard case .retry(_, 2, .zero, _) = state.failed(Self.timeout, at: Self.start + .seconds(100)) else {
            Issue.record("expected a retry after progress")
            return
        }
    }

    @Test func aNewRequestStartsTheClockOnlyOutsideARetryStreak() {
        var state = S3RetryState(policy: S3RetryPolicy(), verbose: false, start: Self.start)
        state.starting(at: Self.start + .seconds(5))
        #expect(state.start == Self.start + .seconds(5))
        _ = state.failed(Self.timeout, at: Self.start + .seconds(6))
        state.starting(at: Self.start + .seconds(7))
        #expect(state.start == Self.start + .seconds(5))
    }
}
