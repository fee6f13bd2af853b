import Foundation
import Metrics

/// Metrics of notifications, reconciliation and chargebacks, through swift-metrics
/// (Prometheus under `sluice serve`):
///
/// | name | type | labels |
/// |---|---|---|
/// | `sluice_notifications_received_total` | counter | `outcome`: stored, duplicate, signature_failed, or the refusal (`refused_415`, …) |
/// | `sluice_notification_ack_seconds` | histogram | — time from the request to its durable answer |
/// | `sluice_notification_commit_seconds` | histogram | — one journal batch's statement and commit |
/// | `sluice_notification_commits_total`, `sluice_notification_batched_total` | counters | — batches written, notifications in them (their ratio is the mean batch) |
/// | `sluice_notifications_processed_total` | counter | `outcome`: applied, unchanged, stale, unknown_transaction, amount_mismatch, recorded |
/// | `sluice_reconciliation_changes_total` | counter | `source`, `outcome` |
/// | `sluice_reconciliation_lag_seconds` | gauge | — age of the oldest pending attempt due for a reconcile |
/// | `sluice_chargebacks_total` | counter | `code`, `source` |
public struct ReconciliationMetrics: Sendable {
    public init() {}

    public func received(_ outcome: String) {
        Counter(label: "sluice_notifications_received_total", dimensions: [("outcome", outcome)]).increment()
    }

    public func acknowledged(after duration: Duration) {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        Timer(label: "sluice_notification_ack_seconds", preferredDisplayUnit: .seconds).recordSeconds(seconds)
    }

    func committed(_ count: Int, after duration: Duration) {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        Timer(label: "sluice_notification_commit_seconds", preferredDisplayUnit: .seconds).recordSeconds(seconds)
        Counter(label: "sluice_notification_commits_total").increment()
        Counter(label: "sluice_notification_batched_total").increment(by: count)
    }

    func processed(_ plan: ObservationPlan, source: ChangeSource) {
        for result in plan.results {
            if source == .notification {
                Counter(label: "sluice_notifications_processed_total", dimensions: [("outcome", result.outcome.rawValue)]).increment()
            }
            Counter(label: "sluice_reconciliation_changes_total", dimensions: [("source", source.rawValue), ("outcome", result.outcome.rawValue)])
                .increment()
        }
        for chargeback in plan.chargebacks {
            Counter(label: "sluice_chargebacks_total", dimensions: [("code", chargeback.reasonCode.isEmpty ? "none" : chargeback.reasonCode), ("source", source.rawValue)])
                .increment()
        }
    }

    func reconciliationLag(seconds: Double) {
        Gauge(label: "sluice_reconciliation_lag_seconds").record(seconds)
    }
}
