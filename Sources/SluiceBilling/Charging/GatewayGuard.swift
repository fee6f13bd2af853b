import Foundation
import SluiceStages
import Synchronization

/// Flow control in front of one terminal: a token-bucket rate, a bound on calls in flight and a
/// circuit breaker on the failure rate. One per terminal per process (`GatewayGuards`), shared
/// by every billing on the node, so two runs billed at once share the terminal's rate.
public final class GatewayGuard: Sendable {
    /// What `admit` says when the breaker keeps calls out.
    public struct Paused: Sendable, Hashable {
        public var retryAfter: Duration
    }

    private struct State {
        var bucket: TokenBucket?
        var breaker: CircuitBreaker
        var inFlight = 0
        var maxInFlight = 0
    }

    public let terminal: String
    private let state: Mutex<State>
    private let permits: CallPermits
    private let metrics: BillingMetrics

    public init(terminal: String, ratePerSecond: Double?, maxInFlight: Int, breaker: CircuitBreakerConfiguration, metrics: BillingMetrics = BillingMetrics()) {
        self.terminal = terminal
        // A burst of a tenth of a second's calls: smooth, without a first-second spike.
        let bucket = ratePerSecond.map { TokenBucket(ratePerSecond: $0, burst: max(Int($0 / 10), 1)) }
        self.state = Mutex(State(bucket: bucket, breaker: CircuitBreaker(configuration: breaker)))
        self.permits = CallPermits(limit: maxInFlight)
        self.metrics = metrics
    }

    /// The breaker's state now.
    public var breakerState: CircuitBreaker.State { state.withLock { $0.breaker.state } }
    /// The most calls that were in flight at once.
    public var maxInFlight: Int { state.withLock { $0.maxInFlight } }

    /// Runs `call` once the rate, the in-flight bound and the breaker let it, and records its
    /// result with the breaker (`call` returns whether the gateway was healthy). When the
    /// breaker is open, calls `onPause` with the time left, waits, and tries again; `onResume`
    /// is called when a paused call gets through.
    public func admit<T: Sendable>(
        onPause: @Sendable (Duration) async -> Void = { _ in }, onResume: @Sendable () async -> Void = {},
        _ call: () async throws -> (T, healthy: Bool)
    ) async throws -> T {
        let clock = ContinuousClock()
        var paused = false
        while true {
            try Task.checkCancellation()
            let permit = state.withLock { state -> CircuitBreaker.Permit in
                let transition = state.breaker.advance(to: clock.now)
                if transition != nil { metrics.breakerState(terminal: terminal, state.breaker.state) }
                return state.breaker.permit(at: clock.now)
            }
            if case .rejected(let retryAfter) = permit {
                if !paused {
                    paused = true
                    await onPause(retryAfter)
                }
                try await Task.sleep(for: max(retryAfter, .milliseconds(10)))
                continue
            }
            if paused { await onResume() }
            break
        }
        await permits.acquire()
        defer { permits.release() }
        while true {
            let wait: Duration? = state.withLock { state in
                guard var bucket = state.bucket else { return nil }
                defer { state.bucket = bucket }
                switch bucket.take(at: clock.now) {
                case .granted: return nil
                case .wait(let wait): return wait
                }
            }
            guard let wait else { break }
            try await Task.sleep(for: wait)
        }
        state.withLock { state in
            state.inFlight += 1
            state.maxInFlight = max(state.maxInFlight, state.inFlight)
            metrics.inFlight(terminal: terminal, state.inFlight)
        }
        defer {
            state.withLock { state in
                state.inFlight -= 1
                metrics.inFlight(terminal: terminal, state.inFlight)
            }
        }
        let started = clock.now
        do {
            let (value, healthy) = try await call()
            record(healthy ? .success : .failure, started: started)
            return value
        } catch {
            record(.failure, started: started)
            throw error
        }
    }

    private func record(_ result: CircuitBreaker.CallResult, started: ContinuousClock.Instant) {
        let now = ContinuousClock.now
        state.withLock { state in
            if state.breaker.record(result, at: now) != nil { metrics.breakerState(terminal: terminal, state.breaker.state) }
        }
    }
}

/// The guards of this process, one per terminal, made on first use with the first settings seen.
public final class GatewayGuards: Sendable {
    private let guards = Mutex<[String: GatewayGuard]>([:])
    private let metrics: BillingMetrics

    public init(metrics: BillingMetrics = BillingMetrics()) {
        self.metrics = metrics
    }

    public func guardFor(_ settings: BillingSettings) -> GatewayGuard {
        guards.withLock { guards in
            if let existing = guards[settings.terminal] { return existing }
            let made = GatewayGuard(
                terminal: settings.terminal, ratePerSecond: settings.ratePerSecond, maxInFlight: settings.maxInFlight,
                breaker: CircuitBreakerConfiguration(
                    windowSize: settings.breakerWindow, minimumCalls: settings.breakerMinimumCalls, failureThreshold: settings.breakerFailureRatio,
                    coolDown: .seconds(settings.breakerCoolDownSeconds), maxCoolDown: .seconds(max(settings.breakerCoolDownSeconds * 16, 60)),
                    probeCalls: 1),
                metrics: metrics)
            guards[settings.terminal] = made
            return made
        }
    }
}
