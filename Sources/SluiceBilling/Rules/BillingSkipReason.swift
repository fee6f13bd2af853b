/// Why a row handed to billing was not charged. The raw value is the reason code of the
/// billing report and `sluice.billing_skips.reason`.
public enum BillingSkipReason: String, Sendable, Hashable, Codable, CaseIterable {
    /// The profile was charged within its cycle (`next_bill_at` is ahead).
    case cycleLocked = "billing.cycle_locked"
    /// The charge would take the profile past its lifetime cap.
    case capReached = "billing.cap_reached"
    /// The row's model differs from the profile's (flywheel against recovery, and so on).
    case modelConflict = "billing.model_conflict"
    /// The profile has an attempt that is not settled yet.
    case pendingExists = "billing.pending_exists"
    /// The profile was deactivated (a chargeback).
    case profileInactive = "billing.profile_inactive"
    /// The row carries a review flag and the billing section bills unflagged rows only.
    case flagged = "billing.flagged"
    /// The debtor's country is not one the gateway charges SEPA direct debits in.
    case countryUnsupported = "billing.country_unsupported"
    /// The row's currency is not the billing section's.
    case currencyMismatch = "billing.currency_mismatch"
    /// A value billing needs (IBAN, amount, names) is missing or unreadable.
    case invalidRow = "billing.invalid_row"
}
