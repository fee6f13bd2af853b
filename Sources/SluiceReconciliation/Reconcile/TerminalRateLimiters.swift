import SluiceStages
import Synchronization

/// One `RateLimiter` per terminal, made on first use and shared by every pass of the process,
/// so a pending pass and an operator's reconcile together keep to a terminal's rate.
final class TerminalRateLimiters: Sendable {
    private let ratePerSecond: Double
    private let limiters = Mutex<[String: RateLimiter]>([:])

    /// - Parameter ratePerSecond: 0 lets every call through at once.
    init(ratePerSecond: Double) {
        self.ratePerSecond = ratePerSecond
    }

    /// Waits for `terminal`'s next call; throws only when cancelled.
    func acquire(_ terminal: String) async throws {
        guard ratePerSecond > 0 else { return }
        let limiter = limiters.withLock { limiters in
            if let limiter = limiters[terminal] { return limiter }
            // Burst 1: calls are spread evenly, never sent in a clump after a quiet spell.
            let limiter = RateLimiter(ratePerSecond: ratePerSecond, burst: 1)
            limiters[terminal] = limiter
            return limiter
        }
        try await limiter.acquire()
    }
}
