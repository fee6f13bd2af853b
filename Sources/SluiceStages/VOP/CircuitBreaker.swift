/// A circuit breaker for one provider, as a value: permits and results in, transitions out.
///
/// The stage asks `permit(at:)` before each call and reports the call's end with
/// `record(_:at:)`; a `final class` with a `Mutex` around this value shares it between the
/// calls in flight. Time is passed in, never read, so tests step it by hand.
///
/// ```
/// closed ─failure, window ≥ minimumCalls, failure ratio ≥ threshold→ open(until: now + coolDown)
/// open   ─permit after the cool-down→ halfOpen                 (permit says .probe)
///        ─permit before→ open                                   (permit says .rejected(retryAfter: time left))
/// halfOpen ─probeCalls successes→ closed (window emptied, cool-down back to its first value)
///          ─a failure→ open(until: now + coolDown · multiplier, capped)
/// ```
///
/// The window is the last `windowSize` calls, not the last T seconds. A count gives the ratio
/// the same weight at 5 calls a second and at 500, takes fixed memory (one flag per call) and
/// needs no timestamps; the stage's rate limit and bounded concurrency already tie call counts
/// to time. A time window at a low call rate would decide on a handful of calls, and at a high
/// one would hold thousands of entries.
public struct CircuitBreaker: Sendable, Hashable {
    public enum State: Sendable, Hashable {
        /// Calls go through; results fill the window.
        case closed
        /// Calls are refused until `until`.
        case open(until: ContinuousClock.Instant)
        /// A few probe calls test the provider.
        case halfOpen
    }

    /// Whether a call may go out now.
    public enum Permit: Sendable, Hashable {
        /// The breaker is closed: call.
        case allowed
        /// The breaker is half-open and this call is one of its probes: call, and record the result.
        case probe
        /// Do not call; ask again after `retryAfter` at the earliest.
        case rejected(retryAfter: Duration)
    }

    /// How one call ended, as far as the provider's health goes.
    public enum CallResult: Sendable, Hashable {
        case success
        case failure
    }

    /// A change of state, for logs and metrics.
    public enum Transition: Sendable, Hashable {
        /// The breaker opened (from closed, or again from half-open) for `coolDown`.
        case opened(coolDown: Duration)
        /// The cool-down ended; probes may go out.
        case halfOpened
        /// The probes succeeded.
        case closed
    }

    public let configuration: CircuitBreakerConfiguration
    public private(set) var state: State = .closed
    /// The cool-down the breaker opens for next time, or opened for last time.
    public private(set) var currentCoolDown: Duration
    private var window: OutcomeWindow
    private var probesOut = 0
    private var probeSuccesses = 0
    private var lastProbeAt: ContinuousClock.Instant?

    public init(configuration: CircuitBreakerConfiguration = CircuitBreakerConfiguration()) {
        self.configuration = configuration
        self.currentCoolDown = configuration.coolDown
        self.window = OutcomeWindow(capacity: configuration.windowSize)
    }

    /// The calls in the window and how many of them failed.
    public var windowCounts: (calls: Int, failures: Int) { (window.count, window.failures) }

    /// Moves an open breaker whose cool-down has passed to half-open. `permit(at:)` does this
    /// itself; call it first to learn of the transition.
    public mutating func advance(to now: ContinuousClock.Instant) -> Transition? {
        guard case .open(let until) = state, now >= until else { return nil }
        state = .halfOpen
        probesOut = 0
        probeSuccesses = 0
        lastProbeAt = nil
        return .halfOpened
    }

    /// Whether a call may go out at `now`. A `.probe` must be followed by a `record` of its result.
    public mutating func permit(at now: ContinuousClock.Instant) -> Permit {
        _ = advance(to: now)
        switch state {
        case .closed:
            return .allowed
        case .open(let until):
            return .rejected(retryAfter: now.duration(to: until))
        case .halfOpen:
            if let lastProbeAt, probesOut + probeSuccesses >= configuration.probeCalls {
                let lostAt = lastProbeAt + configuration.probeTimeout
                guard now >= lostAt else { return .rejected(retryAfter: now.duration(to: lostAt)) }
                // The probes still out are lost: their tasks ended without a result.
                probesOut = 0
            }
            probesOut += 1
            lastProbeAt = now
            return .probe
        }
    }

    /// Records how a call ended. Results that arrive while the breaker is open (calls let
    /// through before it opened) change nothing.
    public mutating func record(_ result: CallResult, at now: ContinuousClock.Instant) -> Transition? {
        switch state {
        case .closed:
            window.append(failed: result == .failure)
            guard result == .failure, window.count >= configuration.minimumCalls,
                  Double(window.failures) >= configuration.failureThreshold * Double(window.count)
            else { return nil }
            return open(at: now, coolDown: configuration.coolDown)

        case .open:
            return nil

        case .halfOpen:
            probesOut = max(probesOut - 1, 0)
            switch result {
            case .failure:
                let grown = min(currentCoolDown * configuration.coolDownMultiplier, configuration.maxCoolDown)
                return open(at: now, coolDown: grown)
            case .success:
                probeSuccesses += 1
                guard probeSuccesses >= configuration.probeCalls else { return nil }
                state = .closed
                window.removeAll()
                currentCoolDown = configuration.coolDown
                return .closed
            }
        }
    }

    private mutating func open(at now: ContinuousClock.Instant, coolDown: Duration) -> Transition {
        currentCoolDown = coolDown
        state = .open(until: now + coolDown)
        window.removeAll()
        probesOut = 0
        probeSuccesses = 0
        lastProbeAt = nil
        return .opened(coolDown: coolDown)
    }
}

extension CircuitBreaker {
    /// The results of the last `capacity` calls, as a ring, with the failures counted.
    struct OutcomeWindow: Sendable, Hashable {
        private var failed: [Bool]
        private var next = 0
        private(set) var count = 0
        private(set) var failures = 0

        init(capacity: Int) {
            failed = Array(repeating: false, count: max(capacity, 1))
        }

        mutating func append(failed isFailure: Bool) {
            if count == failed.count {
                if failed[next] { failures -= 1 }
            } else {
                count += 1
            }
            failed[next] = isFailure
            if isFailure { failures += 1 }
            next = (next + 1) % failed.count
        }

        mutating func removeAll() {
            for index in failed.indices { failed[index] = false }
            next = 0
            count = 0
            failures = 0
        }
    }
}
