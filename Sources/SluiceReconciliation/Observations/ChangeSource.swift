/// How Sluice learnt a status of an attempt (`sluice.attempt_events.source`).
public enum ChangeSource: String, Sendable, Hashable, Codable, CaseIterable {
    /// The billing job's own sale call, or its reconcile of a sale that went unanswered.
    case sale
    /// A notification the gateway posted.
    case notification
    /// A reconcile of the one attempt (pending polling, or an operator's "reconcile now").
    case reconcile
    /// A by-date refresh of the gateway's transactions.
    case byDate = "by_date"
    /// The chargebacks by-date sync.
    case chargebackSync = "chargeback_sync"
}
