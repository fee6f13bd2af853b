/// What the payee-verification stage has done so far, across batches: for run stats and metrics.
public struct VOPStageStats: Sendable, Hashable {
    /// Provider calls made (one per distinct IBAN and name in a batch, plus pause retries).
    public var calls = 0
    /// Rows that shared the call of an earlier row of the same batch with the same IBAN and name.
    public var inBatchDuplicates = 0
    /// Accepted rows left out by sampling, or without an IBAN or a name: not verified.
    public var notVerified = 0
    /// Calls that threw (every attempt failed, the provider refused, an unreadable answer).
    public var failures = 0
    /// Calls not made because the breaker was open.
    public var breakerRejections = 0
    /// Outcomes per verified row (duplicates included).
    public var matches = 0
    public var closeMatches = 0
    public var noMatches = 0
    public var notPossible = 0
    public var unavailable = 0
    /// Calls (distinct payees) that waited for the provider under the `pause` policy.
    public var pausedRows = 0
    /// The provider latency of all calls that got an answer, summed.
    public var totalLatency: Duration = .zero

    public init() {}
}
