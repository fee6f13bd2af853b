import SluiceGenesis

/// Where a billing attempt stands (`sluice.billing_attempts.status`).
///
/// ```
/// planned ─sent→ sending ─answer or reconcile→ approved | declined | error | pending
///                        └─no answer→ sending (reconciled before any retry)
/// pending ─notification or reconcile→ approved | declined | error | …
/// approved ─→ voided | refunded | chargebacked ─→ chargeback_reversed
/// ```
public enum AttemptStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// Decided, not sent yet.
    case planned
    /// A sale request went out; until an answer or a reconcile says otherwise the outcome is unknown.
    case sending
    case approved
    case declined
    case error
    /// The gateway holds it (pending, pending_async, in_progress).
    case pending
    case voided
    case refunded
    case chargebacked
    case chargebackReversed = "chargeback_reversed"

    /// The attempt's status for a gateway status.
    public init(_ status: GatewayStatus) {
        switch status {
        case .approved: self = .approved
        case .declined: self = .declined
        case .error: self = .error
        case .pending, .pendingAsync, .inProgress: self = .pending
        case .voided: self = .voided
        case .refunded: self = .refunded
        case .chargebacked: self = .chargebacked
        case .chargebackReversed: self = .chargebackReversed
        }
    }

    /// No further answer of the sale is awaited (later events, a chargeback say, may still come).
    public var isSettled: Bool { self != .planned && self != .sending && self != .pending }

    /// How this status counts for the profile, once the sale is answered.
    public var profileOutcome: AttemptOutcome? {
        switch self {
        case .planned, .sending: nil
        case .pending: .accepted(final: false)
        case .approved, .voided, .refunded, .chargebacked, .chargebackReversed: .accepted(final: true)
        case .declined, .error: .refused
        }
    }
}
