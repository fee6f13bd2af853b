import Metrics

/// What the payee-verification stage reports to swift-metrics (Prometheus under `sluice serve`):
///
/// - `sluice_vop_calls_total{provider,result}`: provider calls, `result` the outcome
///   (`match`, `close_match`, `no_match`, `not_possible`) or `failed`;
/// - `sluice_vop_call_duration_seconds{provider}`: the latency of calls that got an answer;
/// - `sluice_vop_rows_total{provider,answered_by}`: rows by how they were answered
///   (`provider`, `shared`, `cache`, `none`);
/// - `sluice_vop_calls_in_flight{provider}`: calls waiting for the provider now;
/// - `sluice_vop_breaker_rejections_total{provider}`: calls the open breaker did not let through.
///
/// Handles are made once per stage; without a bootstrapped metrics system they cost nothing.
struct VOPMetrics: Sendable {
    let provider: String
    let failed: Counter
    let latency: Timer
    let inFlight: Gauge
    let breakerRejections: Counter
    private let outcomes: [String: Counter]
    private let rows: [String: Counter]

    init(provider: String) {
        self.provider = provider
        failed = Counter(label: "sluice_vop_calls_total", dimensions: [("provider", provider), ("result", "failed")])
        latency = Timer(label: "sluice_vop_call_duration_seconds", dimensions: [("provider", provider)], preferredDisplayUnit: .seconds)
        inFlight = Gauge(label: "sluice_vop_calls_in_flight", dimensions: [("provider", provider)])
        breakerRejections = Counter(label: "sluice_vop_breaker_rejections_total", dimensions: [("provider", provider)])
        outcomes = Dictionary(uniqueKeysWithValues: ["match", "close_match", "no_match", "not_possible", "unavailable"].map {
            ($0, Counter(label: "sluice_vop_calls_total", dimensions: [("provider", provider), ("result", $0)]))
        })
        rows = Dictionary(uniqueKeysWithValues: VOPCheck.AnsweredBy.allCases.map {
            ($0.rawValue, Counter(label: "sluice_vop_rows_total", dimensions: [("provider", provider), ("answered_by", $0.rawValue)]))
        })
    }

    func call(outcome: String) { outcomes[outcome]?.increment() }

    func rows(_ count: Int, answeredBy: VOPCheck.AnsweredBy) {
        if count > 0 { rows[answeredBy.rawValue]?.increment(by: count) }
    }
}
