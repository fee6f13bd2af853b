@testable import SluiceJobs
import Testing

struct WakeSignalTests {
    @Test func aWakeWithNobodyWaitingIsKeptForTheNextWaiter() async {
        let signal = WakeSignal()
        signal.wakeOne()
        let clock = ContinuousClock()
        let elapsed = await clock.measure { await signal.wait(upTo: .seconds(60)) }
        #expect(elapsed < .seconds(30), "a job enqueued just before a worker went idle still wakes it")
    }

    @Test func onlyOneWakeIsKept() async {
        let signal = WakeSignal()
        signal.wakeOne()
        signal.wakeOne()
        await signal.wait(upTo: .seconds(60))
        let clock = ContinuousClock()
        let elapsed = await clock.measure { await signal.wait(upTo: .milliseconds(200)) }
        #expect(elapsed >= .milliseconds(200), "the second wait times out")
    }

    @Test func closingWakesEveryWaiterAndLaterWaitsReturnAtOnce() async {
        let signal = WakeSignal()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0 ..< 3 {
                group.addTask { await signal.wait(upTo: .seconds(60)) }
            }
            try? await Task.sleep(for: .milliseconds(50))
            signal.close()
        }
        #expect(signal.isClosed)
        let clock = ContinuousClock()
        let elapsed = await clock.measure { await signal.wait() }
        #expect(elapsed < .seconds(30))
    }

    @Test func aCancelledWaitReturns() async {
        let signal = WakeSignal()
        let waiter = Task { await signal.wait() }
        try? await Task.sleep(for: .milliseconds(20))
        waiter.cancel()
        await waiter.value
    }
}
