import SluiceStages
import SluiceValidation

/// How the payee-verification stage calls its provider and what it does with the answers.
///
/// Every field has a default: 32 calls in flight, no rate limit, the default breaker and
/// policy, every row sampled, the `iban` column and `first_name` + `last_name` (falling back
/// to `name`), the account type guessed from a legal form in the name, answers cached 30 days
/// (not-possible answers one day).
///
/// ```swift
/// var configuration = VOPStageConfiguration()
/// configuration.ratePerSecond = 100
/// configuration.burst = 10
/// configuration.policy = VOPPolicy(unavailable: .reject)
/// ```
public struct VOPStageConfiguration: Sendable, Hashable {
    /// The columns a row's payee name is read from.
    public enum NameColumns: Sendable, Hashable {
        /// First and last name joined with a space; when both are empty, `fallback` if the
        /// pipeline has it (the debtors pipeline has `first_name`, `last_name` and `name`).
        case firstAndLast(first: String, last: String, fallback: String?)
        /// One full-name column.
        case single(String)
    }

    /// The most provider calls one batch has in flight at once.
    public var maxCallsInFlight: Int
    /// Calls per second across the stage; `nil` for no limit.
    public var ratePerSecond: Double?
    /// Calls that may go out at once after a quiet spell (with `ratePerSecond`).
    public var burst: Int
    /// The circuit breaker in front of the provider.
    public var breaker: CircuitBreakerConfiguration
    /// What happens to a row for each outcome.
    public var policy: VOPPolicy
    /// The share of rows verified, 0…100. Chosen by a hash of the IBAN, so a rerun samples
    /// the same rows; the others stay accepted and are recorded as `not_sampled`.
    public var samplingPercentage: Double
    /// The canonical column holding the IBAN.
    public var ibanColumn: String
    /// The canonical columns holding the payee's name.
    public var nameColumns: NameColumns
    /// Whether payees are persons or companies; `nil` guesses per row: a name with a legal
    /// form (`GmbH`, `S.A.R.L.`, `Ltd`) is a company's.
    public var accountType: PayeeAccountType?
    /// A column that says, per row, `individual` (or `person`, `private`, `consumer`) or
    /// `company` (or `business`, `organisation`, `organization`); a row without a readable
    /// value falls back to `accountType`.
    public var accountTypeColumn: String?
    /// With `policy.unavailable == .pause`: the longest a row waits for the provider to
    /// answer again before it is flagged `vop.unavailable`.
    public var maxPause: Duration
    /// How long a paid answer is reused from the cache.
    public var cacheTTL: Duration
    /// How long a not-possible answer (NOAP) is reused: shorter, as it may be a responder that
    /// timed out rather than a lasting answer; zero never caches it.
    public var notPossibleTTL: Duration
    /// Answers kept in memory for payees asked again before their batch commits them to the
    /// cache (oldest dropped first).
    public var recentAnswers: Int

    public init(
        maxCallsInFlight: Int = 32,
        ratePerSecond: Double? = nil,
        burst: Int = 1,
        breaker: CircuitBreakerConfiguration = CircuitBreakerConfiguration(),
        policy: VOPPolicy = VOPPolicy(),
        samplingPercentage: Double = 100,
        ibanColumn: String = "iban",
        nameColumns: NameColumns = .firstAndLast(first: "first_name", last: "last_name", fallback: "name"),
        accountType: PayeeAccountType? = nil,
        accountTypeColumn: String? = nil,
        maxPause: Duration = .seconds(300),
        cacheTTL: Duration = .seconds(30 * 86_400),
        notPossibleTTL: Duration = .seconds(86_400),
        recentAnswers: Int = 65_536
    ) {
        self.maxCallsInFlight = max(maxCallsInFlight, 1)
        self.ratePerSecond = ratePerSecond
        self.burst = max(burst, 1)
        self.breaker = breaker
        self.policy = policy
        self.samplingPercentage = samplingPercentage
        self.ibanColumn = ibanColumn
        self.nameColumns = nameColumns
        self.accountType = accountType
        self.accountTypeColumn = accountTypeColumn
        self.maxPause = maxPause
        self.cacheTTL = cacheTTL
        self.notPossibleTTL = notPossibleTTL
        self.recentAnswers = recentAnswers
    }
}
