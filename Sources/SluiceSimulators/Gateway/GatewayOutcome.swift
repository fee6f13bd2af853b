/// What the simulated debtor's bank does with a new sale, decided by `GatewayOutcomeRules`.
public enum GatewayOutcome: Sendable, Hashable {
    /// `approved` at once.
    case approved
    /// `declined` at once, with a SEPA reason code.
    case declined(reasonCode: String)
    /// `error` 340 (invalid input data): recorded, nothing charged.
    case invalidInput
    /// `pending_async`, then `approved` after the notification delay.
    case pendingThenApproved
    /// `pending_async`, then `declined` with a reason code after the notification delay.
    case pendingThenDeclined(reasonCode: String)
}
