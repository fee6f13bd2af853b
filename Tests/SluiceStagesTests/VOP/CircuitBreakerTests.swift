import SluiceStages
import Testing

struct CircuitBreakerTests {
    let start = ContinuousClock.now
    let configuration = CircuitBreakerConfiguration(
        windowSize: 10, minimumCalls: 5, failureThreshold: 0.5,
        coolDown: .seconds(10), coolDownMultiplier: 2, maxCoolDown: .seconds(35),
        probeCalls: 2, probeTimeout: .seconds(5)
    )

    func at(_ seconds: Double) -> ContinuousClock.Instant { start + .seconds(seconds) }

    /// A breaker opened by five failures at t = 0, open until t = 10.
    func openedBreaker() -> CircuitBreaker {
        var breaker = CircuitBreaker(configuration: configuration)
        for _ in 1 ... 4 {
            #expect(breaker.permit(at: at(0)) == .allowed)
            #expect(breaker.record(.failure, at: at(0)) == nil)
        }
        #expect(breaker.record(.failure, at: at(0)) == .opened(coolDown: .seconds(10)))
        return breaker
    }

    @Test func aBurstOfFailuresOpensTheBreakerOnceTheMinimumCallsAreMade() {
        let breaker = openedBreaker()
        #expect(breaker.state == .open(until: at(10)))
    }

    @Test func failuresBelowTheMinimumCallsKeepItClosed() {
        var breaker = CircuitBreaker(configuration: configuration)
        for _ in 1 ... 4 {
            #expect(breaker.record(.failure, at: at(0)) == nil)
        }
        #expect(breaker.state == .closed, "four failures out of four calls, but fewer than five calls")
        #expect(breaker.permit(at: at(0)) == .allowed)
    }

    @Test func aFailureRatioBelowTheThresholdKeepsItClosed() {
        var breaker = CircuitBreaker(configuration: configuration)
        // 4 failures in 10 calls, then each new failure replaces a failure: 40 % throughout.
        for call in 0 ..< 30 {
            let result: CircuitBreaker.CallResult = call % 5 >= 3 ? .failure : .success
            #expect(breaker.record(result, at: at(Double(call))) == nil)
        }
        #expect(breaker.state == .closed)
        #expect(breaker.windowCounts == (calls: 10, failures: 4))
    }

    @Test func theWindowForgetsCallsOlderThanItsSize() {
        var breaker = CircuitBreaker(configuration: configuration)
        for _ in 1 ... 4 { _ = breaker.record(.failure, at: at(0)) }
        for _ in 1 ... 10 { _ = breaker.record(.success, at: at(1)) }
        #expect(breaker.windowCounts == (calls: 10, failures: 0))
        for _ in 1 ... 4 { #expect(breaker.record(.failure, at: at(2)) == nil) }
        #expect(breaker.record(.failure, at: at(2)) == .opened(coolDown: .seconds(10)), "5 of the last 10 failed")
    }

    @Test func aSuccessNeverOpensIt() {
        var closed = CircuitBreaker(configuration: CircuitBreakerConfiguration(windowSize: 4, minimumCalls: 4, failureThreshold: 0.5))
        for result in [CircuitBreaker.CallResult.failure, .failure, .success, .success] {
            #expect(closed.record(result, at: at(0)) == nil, "the ratio is checked when a failure arrives")
        }
        #expect(closed.state == .closed)
    }

    @Test func anOpenBreakerRejectsCallsWithTheTimeLeft() {
        var breaker = openedBreaker()
        #expect(breaker.permit(at: at(0)) == .rejected(retryAfter: .seconds(10)))
        #expect(breaker.permit(at: at(7.5)) == .rejected(retryAfter: .seconds(2.5)))
        #expect(breaker.record(.success, at: at(8)) == nil, "a late answer to a call let through before it opened")
        #expect(breaker.state == .open(until: at(10)))
    }

    @Test func afterTheCoolDownItTurnsHalfOpenAndLetsTheProbesThrough() {
        var breaker = openedBreaker()
        #expect(breaker.advance(to: at(9.9)) == nil)
        #expect(breaker.advance(to: at(10)) == .halfOpened)
        #expect(breaker.state == .halfOpen)
        #expect(breaker.permit(at: at(10)) == .probe)
        #expect(breaker.permit(at: at(10.5)) == .probe)
        #expect(breaker.permit(at: at(11)) == .rejected(retryAfter: .seconds(4.5)), "both probes are out; the next may go when the last is taken as lost")
    }

    @Test func successfulProbesCloseItWithAnEmptyWindow() {
        var breaker = openedBreaker()
        #expect(breaker.permit(at: at(10)) == .probe)
        #expect(breaker.permit(at: at(10)) == .probe)
        #expect(breaker.record(.success, at: at(10.2)) == nil)
        #expect(breaker.record(.success, at: at(10.3)) == .closed)
        #expect(breaker.state == .closed)
        #expect(breaker.windowCounts == (calls: 0, failures: 0))
        #expect(breaker.permit(at: at(10.3)) == .allowed)
        for _ in 1 ... 4 { #expect(breaker.record(.failure, at: at(11)) == nil, "old failures do not count again") }
    }

    @Test func aFailedProbeReopensItWithAGrowingCappedCoolDown() {
        var breaker = openedBreaker()
        var now = 10.0
        var coolDowns: [Duration] = []
        for _ in 1 ... 4 {
            #expect(breaker.permit(at: at(now)) == .probe)
            guard case .opened(let coolDown) = breaker.record(.failure, at: at(now + 1)) else {
                Issue.record("a failed probe reopens the breaker")
                return
            }
            coolDowns.append(coolDown)
            #expect(breaker.state == .open(until: at(now + 1) + coolDown))
            #expect(breaker.permit(at: at(now + 1)) == .rejected(retryAfter: coolDown))
            now += 1 + Double(coolDown.components.seconds)
        }
        #expect(coolDowns == [.seconds(20), .seconds(35), .seconds(35), .seconds(35)])
    }

    @Test func theCoolDownStartsOverOnceTheBreakerClosed() {
        var breaker = openedBreaker()
        _ = breaker.permit(at: at(10))
        #expect(breaker.record(.failure, at: at(10)) == .opened(coolDown: .seconds(20)))
        _ = breaker.permit(at: at(30))
        _ = breaker.permit(at: at(30))
        _ = breaker.record(.success, at: at(30))
        #expect(breaker.record(.success, at: at(30)) == .closed)
        for _ in 1 ... 4 { _ = breaker.record(.failure, at: at(31)) }
        #expect(breaker.record(.failure, at: at(31)) == .opened(coolDown: .seconds(10)))
    }

    @Test func aLostProbeGivesItsSlotToANewOneAfterTheProbeTimeout() {
        var breaker = openedBreaker()
        #expect(breaker.permit(at: at(10)) == .probe)
        #expect(breaker.record(.success, at: at(10.5)) == nil)
        #expect(breaker.permit(at: at(11)) == .probe)
        // This probe's task was cancelled: no result ever comes.
        #expect(breaker.permit(at: at(15.75)) == .rejected(retryAfter: .seconds(0.25)))
        #expect(breaker.permit(at: at(16)) == .probe)
        #expect(breaker.record(.success, at: at(16.2)) == .closed, "the earlier success still counts")
    }

    @Test func theDefaultsNeedTenCallsAndHalfOfTwentyToOpen() {
        let defaults = CircuitBreakerConfiguration()
        #expect(defaults.windowSize == 20)
        #expect(defaults.minimumCalls == 10)
        #expect(defaults.failureThreshold == 0.5)
        var breaker = CircuitBreaker()
        for _ in 1 ... 9 { #expect(breaker.record(.failure, at: at(0)) == nil) }
        #expect(breaker.record(.failure, at: at(0)) == .opened(coolDown: .seconds(10)))
    }

    @Test func nonsenseSettingsAreClamped() {
        let configuration = CircuitBreakerConfiguration(windowSize: 0, minimumCalls: 50, failureThreshold: 3, coolDown: .seconds(-1), coolDownMultiplier: 0.5, maxCoolDown: .seconds(-5), probeCalls: 0)
        #expect(configuration.windowSize == 1)
        #expect(configuration.minimumCalls == 1)
        #expect(configuration.failureThreshold == 1)
        #expect(configuration.coolDown == .zero)
        #expect(configuration.coolDownMultiplier == 1)
        #expect(configuration.maxCoolDown == .zero)
        #expect(configuration.probeCalls == 1)
    }
}
