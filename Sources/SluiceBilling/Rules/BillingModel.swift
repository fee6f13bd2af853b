/// How a debtor is billed, decided by the amount: a small recurring `flywheel` charge, a
/// larger `recovery` charge, or `legacy` for any other amount.
public enum BillingModel: String, Sendable, Hashable, Codable, CaseIterable {
    /// €1.99 – €4.95, every 90 days at most.
    case flywheel
    /// €29.99 – €99.99, every 6 months at most.
    case recovery
    /// Any other amount; no cycle lock of its own.
    case legacy

    public static let flywheelRange: ClosedRange<Int64> = 199...495
    public static let recoveryRange: ClosedRange<Int64> = 2999...9999

    /// The model of a charge of `amountMinor` cents.
    public init(amountMinor: Int64) {
        if Self.flywheelRange.contains(amountMinor) {
            self = .flywheel
        } else if Self.recoveryRange.contains(amountMinor) {
            self = .recovery
        } else {
            self = .legacy
        }
    }
}
