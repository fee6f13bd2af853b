import SluiceTestSupport
import SluiceJobs
import Testing

struct JobStateMachineTests {
    let policy = RetryPolicy(base: .seconds(15), unit: .seconds(1), jitter: 0.1)

    func claimedMachine(attempt: Int = 0, maxAttempts: Int = 3) -> JobStateMachine {
        var machine = JobStateMachine(state: .available, attempt: attempt, maxAttempts: maxAttempts, policy: policy)
        #expect(machine.handle(.claimed) == .startWorking)
        return machine
    }

    @Test func aClaimCountsTheAttemptAndRunsTheJob() {
        let machine = claimedMachine()
        #expect(machine.state == .running)
        #expect(machine.attempt == 1)
        #expect(machine.storedState == .running)
    }

    @Test func heartbeatsKeepTheJobUntilOneFindsTheLeaseGone() {
        var machine = claimedMachine()
        #expect(machine.handle(.heartbeat(ok: true)) == .keepWorking)
        #expect(machine.handle(.heartbeat(ok: false)) == .stopWorking)
        #expect(machine.state == .lost)
        #expect(machine.storedState == nil)
        #expect(machine.handle(.succeeded) == .none, "a worker that lost the lease writes nothing")
        #expect(machine.handle(.failed(error: "late")) == .none)
    }

    @Test func successCompletesTheJob() {
        var machine = claimedMachine()
        #expect(machine.handle(.succeeded) == .markCompleted)
        #expect(machine.storedState == .completed)
        #expect(machine.handle(.cancelRequested) == .none, "a completed job stays completed")
    }

    @Test func aPermanentFailureIsDeadAtOnceWithAttemptsLeft() {
        var machine = claimedMachine(maxAttempts: 20)
        #expect(machine.hasAttemptsLeft)
        #expect(machine.handle(.failedPermanently(error: "no header")) == .markDead(error: "no header"))
        #expect(machine.storedState == .dead)
        #expect(machine.handle(.claimed) == .none, "a dead job is not claimed again")
    }

    @Test func aFailureWithAttemptsLeftSchedulesARetryAfterTheJitteredBackoff() {
        var machine = claimedMachine()
        var generator = SeededGenerator(seed: 11)
        var expected = SeededGenerator(seed: 11)
        let action = machine.handle(.failed(error: "gateway timeout"), using: &generator)
        #expect(action == .scheduleRetry(after: policy.delay(afterAttempt: 1, using: &expected), error: "gateway timeout"))
        guard case .scheduleRetry(let delay, _) = action else { return }
        #expect(policy.delayRange(afterAttempt: 1).contains(delay))
        #expect(machine.storedState == .retryable)
    }

    @Test func theBackoffGrowsWithEachAttempt() {
        var machine = JobStateMachine(state: .available, attempt: 0, maxAttempts: 10, policy: RetryPolicy(base: .zero, unit: .seconds(1), jitter: 0))
        var delays: [Duration] = []
        for _ in 1 ... 4 {
            #expect(machine.handle(.claimed) == .startWorking)
            if case .scheduleRetry(let delay, _) = machine.handle(.failed(error: "boom")) { delays.append(delay) }
        }
        #expect(delays == [.seconds(2), .seconds(4), .seconds(8), .seconds(16)])
    }

    @Test func theLastAttemptsFailureMakesTheJobDeadWithItsError() {
        var machine = JobStateMachine(state: .retryable, attempt: 2, maxAttempts: 3, policy: policy)
        #expect(machine.handle(.claimed) == .startWorking)
        #expect(machine.attempt == 3)
        #expect(machine.handle(.failed(error: "still broken")) == .markDead(error: "still broken"))
        #expect(machine.storedState == .dead)
        #expect(machine.handle(.claimed) == .none, "a dead job is not claimed again")
    }

    @Test func anExpiredLeaseIsAFailedAttempt() {
        var retried = JobStateMachine(state: .running, attempt: 1, maxAttempts: 3, policy: policy)
        guard case .scheduleRetry(_, let error) = retried.handle(.leaseExpired(owner: "node-a/12#0")) else {
            Issue.record("expected a retry")
            return
        }
        #expect(error.contains("node-a/12#0"))
        var exhausted = JobStateMachine(state: .running, attempt: 3, maxAttempts: 3, policy: policy)
        guard case .markDead(let deadError) = exhausted.handle(.leaseExpired(owner: "node-a/12#0")) else {
            Issue.record("expected dead")
            return
        }
        #expect(deadError.contains("expired"))
    }

    @Test func aReleasedJobIsAvailableAgainWithoutCountingTheAttempt() {
        var machine = claimedMachine(attempt: 1)
        #expect(machine.attempt == 2)
        #expect(machine.handle(.released) == .release)
        #expect(machine.storedState == .available)
        #expect(machine.attempt == 1)
        #expect(machine.handle(.claimed) == .startWorking)
        #expect(machine.attempt == 2)
    }

    @Test(arguments: [JobState.available, .retryable, .running])
    func anUnfinishedJobCanBeCancelled(state: JobState) {
        var machine = JobStateMachine(state: state, attempt: 1, maxAttempts: 3, policy: policy)
        #expect(machine.handle(.cancelRequested) == .markCancelled)
        #expect(machine.storedState == .cancelled)
        #expect(machine.handle(.succeeded) == .none, "a cancelled job's late success changes nothing")
    }

    @Test(arguments: [JobState.completed, .dead, .cancelled])
    func aFinishedJobIgnoresEveryEvent(state: JobState) {
        var machine = JobStateMachine(state: state, attempt: 3, maxAttempts: 3, policy: policy)
        let events: [JobStateMachine.Event] = [.claimed, .heartbeat(ok: true), .succeeded, .failed(error: "x"), .failedPermanently(error: "x"), .leaseExpired(owner: "o"), .released, .cancelRequested]
        for event in events {
            #expect(machine.handle(event) == .none)
        }
        #expect(machine.storedState == state)
    }

    @Test func aWaitingJobOnlyReactsToAClaimOrACancel() {
        var machine = JobStateMachine(state: .available, attempt: 0, maxAttempts: 3, policy: policy)
        #expect(machine.handle(.succeeded) == .none)
        #expect(machine.handle(.failed(error: "x")) == .none)
        #expect(machine.handle(.released) == .none)
        #expect(machine.storedState == .available)
    }
}
