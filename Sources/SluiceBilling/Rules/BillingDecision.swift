/// What the rules say about one row.
public enum BillingDecision: Sendable, Hashable {
    /// Charge it; `profile` is the debtor's profile with this attempt counted.
    case charge(model: BillingModel, profile: DebtorProfile)
    /// Do not charge it, for this reason; `detail` says what the rule saw.
    case skip(BillingSkipReason, detail: String)
}
