import SluiceStages
import Synchronization

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
