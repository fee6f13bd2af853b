/// What the payee-verification stage has done so far, across batches: for run stats and metrics.
public struct VOPStageStats: Sendable, Hashable {
    /// Provider calls made (one per distinct payee not answered otherwise, plus pause retries).
    public var calls = 0
    /// Rows answered by `sluice.vop_results` without a call.
    public var cacheHits = 0
    /// Rows that shared another row's call: the same payee earlier in the batch, in flight in
    /// another batch, or answered a moment ago.
    public var sharedAnswers = 0
    /// Accepted rows left out by sampling (`not_sampled`).
    public var notSampled = 0
    /// Accepted rows left out because the daily budget was spent (`over_budget`).
    public var overBudget = 0
    /// Accepted rows without an IBAN or a name: nothing to verify.
    public var notVerifiable = 0
    /// Calls that threw (every attempt failed, the provider refused, an unreadable answer).
    public var failures = 0
    /// Calls not made because the breaker was open.
    public var breakerRejections = 0
    /// Outcomes per verified row (shared and cached answers included).
    public var matches = 0
    public var closeMatches = 0
    public var noMatches = 0
    public var notPossible = 0
    public var unavailable = 0
    /// Calls (distinct payees) that waited for the provider under the `pause` policy.
    public var pausedCalls = 0
    /// The provider latency of all calls that got an answer, summed.
    public var totalLatency: Duration = .zero
    /// The most calls in flight at once.
    public var maxInFlight = 0

    public init() {}

    /// Rows not verified: sampled out, over budget, or without an IBAN or a name.
    public var notVerified: Int { notSampled + overBudget + notVerifiable }
}

extension VOPStageStats: Encodable {
    enum CodingKeys: String, CodingKey {
        case calls, failures, outcomes
        case cacheHits = "cache_hits"
        case sharedAnswers = "shared_answers"
        case notSampled = "not_sampled"
        case overBudget = "over_budget"
        case notVerifiable = "not_verifiable"
        case breakerRejections = "breaker_rejections"
        case pausedCalls = "paused_calls"
        case meanLatencyMilliseconds = "mean_latency_ms"
        case maxInFlight = "max_in_flight"
    }

    /// The mean latency of the calls that got an answer, in milliseconds; 0 without calls.
    public var meanLatencyMilliseconds: Double {
        let answered = calls - failures
        return answered > 0 ? totalLatency.milliseconds / Double(answered) : 0
    }

    /// `sluice run --json`'s `vop` object.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(calls, forKey: .calls)
        try container.encode(failures, forKey: .failures)
        try container.encode(
            ["match": matches, "close_match": closeMatches, "no_match": noMatches, "not_possible": notPossible, "unavailable": unavailable],
            forKey: .outcomes)
        try container.encode(cacheHits, forKey: .cacheHits)
        try container.encode(sharedAnswers, forKey: .sharedAnswers)
        try container.encode(notSampled, forKey: .notSampled)
        try container.encode(overBudget, forKey: .overBudget)
        try container.encode(notVerifiable, forKey: .notVerifiable)
        try container.encode(breakerRejections, forKey: .breakerRejections)
        try container.encode(pausedCalls, forKey: .pausedCalls)
        try container.encode(meanLatencyMilliseconds, forKey: .meanLatencyMilliseconds)
        try container.encode(maxInFlight, forKey: .maxInFlight)
    }
}
