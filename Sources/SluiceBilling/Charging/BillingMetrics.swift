import Metrics
import SluiceStages

/// Billing's metrics, through swift-metrics (Prometheus under `sluice serve`):
///
/// | name | type | labels |
/// |---|---|---|
/// | `sluice_billing_attempts_total` | counter | `status`: what each answered attempt became |
/// | `sluice_billing_skips_total` | counter | `reason` |
/// | `sluice_billing_gateway_call_duration_seconds` | timer | `endpoint`: sale, reconcile |
/// | `sluice_billing_gateway_calls_in_flight` | gauge | `terminal` |
/// | `sluice_billing_breaker_open` | gauge | `terminal`: 1 open, 0.5 half-open, 0 closed |
public struct BillingMetrics: Sendable {
    public init() {}

    public func attempt(_ status: AttemptStatus) {
        Counter(label: "sluice_billing_attempts_total", dimensions: [("status", status.rawValue)]).increment()
    }

    public func skipped(_ reason: BillingSkipReason, count: Int) {
        Counter(label: "sluice_billing_skips_total", dimensions: [("reason", reason.rawValue)]).increment(by: count)
    }

    public func call(_ endpoint: String, seconds: Double) {
        Timer(label: "sluice_billing_gateway_call_duration_seconds", dimensions: [("endpoint", endpoint)], preferredDisplayUnit: .seconds)
            .recordSeconds(seconds)
    }

    func inFlight(terminal: String, _ count: Int) {
        Gauge(label: "sluice_billing_gateway_calls_in_flight", dimensions: [("terminal", terminal)]).record(count)
    }

    func breakerState(terminal: String, _ state: CircuitBreaker.State) {
        let value: Double
        switch state {
        case .closed: value = 0
        case .halfOpen: value = 0.5
        case .open: value = 1
        }
        Gauge(label: "sluice_billing_breaker_open", dimensions: [("terminal", terminal)]).record(value)
    }
}
