import SluiceBilling

/// What became of one observation (`sluice.notifications.outcome` for notifications).
public enum ObservationOutcome: String, Sendable, Hashable, Codable, CaseIterable {
    /// The attempt took the status.
    case applied
    /// The attempt already had it.
    case unchanged
    /// The attempt is past it; recorded, not applied.
    case stale
    /// No attempt has this transaction: kept and reported.
    case unknownTransaction = "unknown_transaction"
    /// The amount is not the attempt's: not applied (the signature does not cover the amount).
    case amountMismatch = "amount_mismatch"
    /// An event that changes no status (a retrieval request, an unknown status): recorded.
    case recorded
}
