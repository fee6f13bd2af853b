/// A run's payee-verification figures, from its `sluice.vop_checks` rows: checks by outcome,
/// by who answered and by decision, and the provider's calls with their latency.
///
/// Part of the run summary (`RunSummaryReport.vop`) when the run checked any row.
public struct VOPFigures: Sendable, Hashable {
    /// Rows the VOP stage looked at, verified or not.
    public var checks: Int64
    /// Checks per outcome: `match`, `close_match`, `no_match`, `not_possible`, `unavailable`, `not_sampled`, `over_budget`.
    public var byOutcome: [String: Int64]
    /// Checks per answer's origin: `provider`, `shared`, `cache`, `none` (not verified).
    public var byAnsweredBy: [String: Int64]
    /// Checks per decision: `accepted`, `rejected`, `flagged`.
    public var byDecision: [String: Int64]
    /// Calls made to the provider: the checks answered by `provider`.
    public var providerCalls: Int64
    /// Mean milliseconds of those calls; `nil` without a timed call.
    public var meanLatencyMs: Double?
    /// The 95th percentile (continuous) of those calls' milliseconds; `nil` without a timed call.
    public var p95LatencyMs: Double?

    public init(
        checks: Int64, byOutcome: [String: Int64], byAnsweredBy: [String: Int64], byDecision: [String: Int64], providerCalls: Int64,
        meanLatencyMs: Double? = nil, p95LatencyMs: Double? = nil
    ) {
        self.checks = checks
        self.byOutcome = byOutcome
        self.byAnsweredBy = byAnsweredBy
        self.byDecision = byDecision
        self.providerCalls = providerCalls
        self.meanLatencyMs = meanLatencyMs
        self.p95LatencyMs = p95LatencyMs
    }

    static let outcomeOrder = ["match", "close_match", "no_match", "not_possible", "unavailable", "not_sampled", "over_budget"]
    static let answeredByOrder = ["provider", "shared", "cache", "none"]
    static let decisionOrder = ["accepted", "rejected", "flagged"]

    /// `counts` in the documented order of its keys, then any other key alphabetically.
    static func ordered(_ counts: [String: Int64], _ order: [String]) -> [(String, Int64)] {
        counts.sorted { (order.firstIndex(of: $0.key) ?? order.count, $0.key) < (order.firstIndex(of: $1.key) ?? order.count, $1.key) }
    }
}

extension VOPFigures: Encodable {
    enum CodingKeys: String, CodingKey {
        case checks, byOutcome = "by_outcome", byAnsweredBy = "by_answered_by", byDecision = "by_decision"
        case providerCalls = "provider_calls", meanLatencyMs = "latency_mean_ms", p95LatencyMs = "latency_p95_ms"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(checks, forKey: .checks)
        try container.encode(byOutcome, forKey: .byOutcome)
        try container.encode(byAnsweredBy, forKey: .byAnsweredBy)
        try container.encode(byDecision, forKey: .byDecision)
        try container.encode(providerCalls, forKey: .providerCalls)
        try container.encodeIfPresent(meanLatencyMs, forKey: .meanLatencyMs)
        try container.encodeIfPresent(p95LatencyMs, forKey: .p95LatencyMs)
    }
}
