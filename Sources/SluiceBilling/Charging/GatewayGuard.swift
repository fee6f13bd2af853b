import Foundation
import SluiceGenesis
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
        var breaker: CircuitBreaker
        var inFlight = 0
        var maxInFlight = 0
    }

    public let terminal: String
    private let state: Mutex<State>
    private let permits: CallPermits
    private let rateLimiter: RateLimiter?
    private let metrics: BillingMetrics

    public init(terminal: String, ratePerSecond: Double?, maxInFlight: Int, breaker: CircuitBreakerConfiguration, metrics: BillingMetrics = BillingMetrics()) {
        self.terminal = terminal
        // A burst of a tenth of a second's calls: smooth, without a first-second spike.
        // A burst of 20 ms of calls, at least two: enough to make up for a short stall (a chunk
        // being planned, a sleep that overslept) so the rate holds, too little to exceed it
        // over any longer span. With one, every late wake-up would be lost for good.
        self.rateLimiter = ratePerSecond.map { RateLimiter(ratePerSecond: $0, burst: Self.burst(forRate: $0)) }
        self.state = Mutex(State(breaker: CircuitBreaker(configuration: breaker)))
        self.permits = CallPermits(limit: maxInFlight)
        self.metrics = metrics
    }

    /// The bucket's size for `rate`: the calls of 20 ms, at least two.
    static func burst(forRate rate: Double) -> Int { max(Int(rate / 50), 2) }

    /// The breaker's state now.
    public var breakerState: CircuitBreaker.State { state.withLock { $0.breaker.state } }
    /// The most calls that were in flight at once.
    public var maxInFlight: Int { state.withLock { $0.maxInFlight } }

    /// Runs `call` once the rate, the in-flight bound and the breaker let it, and records its
    /// result with the breaker: a `GatewayError` is a failure, an answer (a decline too) a
    /// success, and any other error (the database, say) says nothing about the gateway. When the
    /// breaker is open, calls `onPause` with the time left, waits, and tries again; `onResume`
    /// is called when a paused call gets through.
    public func admit<T: Sendable>(
        onPause: @Sendable (Duration) async -> Void = { _ in }, onResume: @Sendable () async -> Void = {},
        _ call: () async throws -> T
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
        try await rateLimiter?.acquire()
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
        do {
            let value = try await call()
            record(.success)
            return value
        } catch let error as GatewayError {
            record(.failure)
            throw error
        }
    }

    private func record(_ result: CircuitBreaker.CallResult) {
        let now = ContinuousClock.now
        state.withLock { state in
            if state.breaker.record(result, at: now) != nil { metrics.breakerState(terminal: terminal, state.breaker.state) }
        }
    }
}
