/// A pipeline's `billing:` section, resolved: what billing of one run charges, how, and how fast.
/// Stored with the run when it is handed to billing (`sluice.billing_runs.settings`), so editing
/// the pipeline file later never changes a billing under way.
public struct BillingSettings: Sendable, Hashable, Codable {
    /// The Genesis terminal token; its credentials come from the environment.
    public var terminal: String
    /// Where the gateway posts notifications (`notification_url`); none when `nil`.
    public var notificationURL: String?
    /// The `usage` text of each charge; `{external_id}` and `{line}` are replaced per row.
    public var usage: String
    public var currency: String
    /// Charges a second per terminal; `nil` for no limit.
    public var ratePerSecond: Double?
    /// Sale and reconcile calls in flight at once.
    public var maxInFlight: Int
    /// Bill rows that carry a review flag too (default: unflagged rows only).
    public var billFlaggedRows: Bool
    /// Start billing when the run completes; otherwise only `billing start` does.
    public var startOnCompletion: Bool
    /// The gateway call timeout.
    public var timeoutSeconds: Double
    /// The breaker: failure ratio over the last `breakerWindow` calls (at least `breakerMinimumCalls`)
    /// that opens it, and the first cool-down.
    public var breakerFailureRatio: Double
    public var breakerWindow: Int
    public var breakerMinimumCalls: Int
    public var breakerCoolDownSeconds: Double
    /// Sale requests per attempt in one pass of the job at most (each after a reconcile found nothing).
    public var maxSaleRequests: Int
    /// Target-table columns billing reads, by role.
    public var columns: BillingColumns

    public init(
        terminal: String, notificationURL: String? = nil, usage: String = "Direct debit {external_id}", currency: String = "EUR",
        ratePerSecond: Double? = 50, maxInFlight: Int = 16, billFlaggedRows: Bool = false, startOnCompletion: Bool = true,
        timeoutSeconds: Double = 30, breakerFailureRatio: Double = 0.5, breakerWindow: Int = 50, breakerMinimumCalls: Int = 10,
        breakerCoolDownSeconds: Double = 5, maxSaleRequests: Int = 3, columns: BillingColumns = BillingColumns()
    ) {
        self.terminal = terminal
        self.notificationURL = notificationURL
        self.usage = usage
        self.currency = currency
        self.ratePerSecond = ratePerSecond
        self.maxInFlight = maxInFlight
        self.billFlaggedRows = billFlaggedRows
        self.startOnCompletion = startOnCompletion
        self.timeoutSeconds = timeoutSeconds
        self.breakerFailureRatio = breakerFailureRatio
        self.breakerWindow = breakerWindow
        self.breakerMinimumCalls = breakerMinimumCalls
        self.breakerCoolDownSeconds = breakerCoolDownSeconds
        self.maxSaleRequests = maxSaleRequests
        self.columns = columns
    }

    enum CodingKeys: String, CodingKey {
        case terminal, usage, currency, columns
        case notificationURL = "notification_url"
        case ratePerSecond = "rate_per_second"
        case maxInFlight = "max_in_flight"
        case billFlaggedRows = "bill_flagged_rows"
        case startOnCompletion = "start_on_completion"
        case timeoutSeconds = "timeout_seconds"
        case breakerFailureRatio = "breaker_failure_ratio"
        case breakerWindow = "breaker_window"
        case breakerMinimumCalls = "breaker_minimum_calls"
        case breakerCoolDownSeconds = "breaker_cool_down_seconds"
        case maxSaleRequests = "max_sale_requests"
    }

    /// The rules these settings imply.
    public var rules: BillingRules {
        BillingRules(currency: currency.uppercased(), billFlaggedRows: billFlaggedRows)
    }
}
