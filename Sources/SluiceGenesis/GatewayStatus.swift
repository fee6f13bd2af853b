/// A transaction status as Genesis writes it.
public enum GatewayStatus: String, Sendable, Hashable, CaseIterable, Codable {
    case approved
    case declined
    case pending
    case pendingAsync = "pending_async"
    case inProgress = "in_progress"
    case error
    case voided
    case refunded
    case chargebacked
    case chargebackReversed = "chargeback_reversed"
}
