import SluiceBilling

/// Which status changes the gateway may make to an attempt: a status never moves backwards,
/// so a late or re-sent notification (a `pending` after `approved`) is recorded and not applied.
///
/// ```
/// planned, sending ─→ anything the gateway says
/// pending          ─→ approved | declined | error | voided | refunded | chargebacked | chargeback_reversed
/// approved         ─→ voided | refunded | chargebacked | chargeback_reversed
/// chargebacked     ─→ chargeback_reversed
/// declined, error, voided, refunded, chargeback_reversed: final
/// ```
public enum StatusTransition: Sendable, Hashable {
    /// The attempt takes the new status.
    case apply
    /// It already has it.
    case unchanged
    /// It is past it: recorded, not applied.
    case stale

    public init(from current: AttemptStatus, to new: AttemptStatus) {
        if current == new {
            self = .unchanged
        } else {
            self = Self.successors(of: current).contains(new) ? .apply : .stale
        }
    }

    static func successors(of status: AttemptStatus) -> Set<AttemptStatus> {
        switch status {
        case .planned, .sending: Set(AttemptStatus.allCases).subtracting([.planned, .sending])
        case .pending: [.approved, .declined, .error, .voided, .refunded, .chargebacked, .chargebackReversed]
        case .approved: [.voided, .refunded, .chargebacked, .chargebackReversed]
        case .chargebacked: [.chargebackReversed]
        case .declined, .error, .voided, .refunded, .chargebackReversed: []
        }
    }
}
