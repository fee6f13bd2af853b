/// A run's billing in numbers, from its `sluice.billing_attempts` and `sluice.billing_skips`
/// rows: rows by outcome (an attempt's status, or `skipped`), by reason code (the gateway's
/// for attempts, the rule's for skips) and the amount approved.
///
/// The `Summary` sheet of an XLSX billing report ends with them.
public struct BillingFigures: Sendable, Hashable {
    /// The Genesis terminal the run is billed on (`billing_runs.settings`).
    public var terminal: String
    /// `planning`, `charging` or `completed`.
    public var state: String
    /// Rows with an attempt.
    public var attempts: Int64
    /// Rows not charged.
    public var skipped: Int64
    /// Rows per outcome: each attempt status, and `skipped`.
    public var byOutcome: [String: Int64]
    /// Rows per reason code; attempts without one (an approved charge) are not counted.
    public var byReason: [String: Int64]
    /// Cents of the attempts that stand approved.
    public var approvedAmountMinor: Int64

    public init(
        terminal: String, state: String, attempts: Int64, skipped: Int64, byOutcome: [String: Int64], byReason: [String: Int64],
        approvedAmountMinor: Int64
    ) {
        self.terminal = terminal
        self.state = state
        self.attempts = attempts
        self.skipped = skipped
        self.byOutcome = byOutcome
        self.byReason = byReason
        self.approvedAmountMinor = approvedAmountMinor
    }

    /// The attempt's life cycle (docs/billing.md), then `skipped`.
    static let outcomeOrder = [
        "planned", "sending", "pending", "approved", "declined", "error", "voided", "refunded", "chargebacked", "chargeback_reversed",
        BillingReportRow.skipped,
    ]

    /// Outcomes in the documented order, then any other alphabetically.
    var sortedOutcomes: [(String, Int64)] {
        let order = Self.outcomeOrder
        return byOutcome.sorted {
            (order.firstIndex(of: $0.key) ?? order.count, $0.key) < (order.firstIndex(of: $1.key) ?? order.count, $1.key)
        }
    }

    /// Reasons, most frequent first, as the run summary orders rejections.
    var sortedReasons: [(String, Int64)] {
        byReason.sorted { ($1.value, $0.key) < ($0.value, $1.key) }
    }
}
