/// One row of `sluice.vop_checks` as the VOP report shows it: what was sent for the row of the
/// file at `line`, what came back, from where, and what the pipeline decided.
public struct VOPReportRow: ReportTableRow, Sendable, Hashable {
    /// The physical line (CSV) or sheet row (XLSX) of the checked row.
    public var line: Int64
    public var nameSent: String
    /// The IBAN as the check stored it: masked (first 4 + last 4).
    public var ibanMasked: String
    /// `match`, `close_match`, `no_match`, `not_possible`, `unavailable`, `not_sampled` or `over_budget`.
    public var outcome: String
    public var matchedName: String?
    public var score: Double?
    /// `provider` (this row's own call), `shared` (another row's call), `cache` or `none` (not verified).
    public var answeredBy: String
    /// `accepted`, `rejected` or `flagged`.
    public var decision: String
    /// Milliseconds of the provider call; only when `answeredBy` is `provider`.
    public var latencyMs: Double?
    /// `epc` or `bav`.
    public var provider: String
    /// `individual` or `company`.
    public var accountType: String

    public init(
        line: Int64, nameSent: String, ibanMasked: String, outcome: String, matchedName: String? = nil, score: Double? = nil,
        answeredBy: String, decision: String, latencyMs: Double? = nil, provider: String, accountType: String
    ) {
        self.line = line
        self.nameSent = nameSent
        self.ibanMasked = ibanMasked
        self.outcome = outcome
        self.matchedName = matchedName
        self.score = score
        self.answeredBy = answeredBy
        self.decision = decision
        self.latencyMs = latencyMs
        self.provider = provider
        self.accountType = accountType
    }

    /// The report's columns, left to right.
    public static let columns = [
        "line", "name_sent", "iban", "outcome", "matched_name", "score", "from_cache", "answered_by", "decision", "latency_ms",
        "provider", "account_type",
    ]

    public static let sheetName = "VOP checks"
    public static let numberColumns = ["line", "score", "latency_ms"]
    public static let failureColumn = "decision"

    /// Whether the answer came from `sluice.vop_results` rather than a call.
    public var fromCache: Bool { answeredBy == "cache" }

    /// The latency in whole microseconds: the provider's timing says no more.
    public var roundedLatencyMs: Double? { latencyMs.map { ($0 * 1000).rounded() / 1000 } }

    /// The row's values in the order of ``columns``; numbers as the XLSX reader shows them
    /// (`12`, `0.87`), a missing value empty.
    public var values: [String] {
        [
            String(line), nameSent, ibanMasked, outcome, matchedName ?? "", score.map(Self.number) ?? "", fromCache ? "true" : "false",
            answeredBy, decision, roundedLatencyMs.map(Self.number) ?? "", provider, accountType,
        ]
    }

    public var numbers: [Double?] { [Double(line), score, roundedLatencyMs] }

    /// Whether the pipeline rejected the row.
    public var isFailure: Bool { decision == "rejected" }

    /// The shortest text that reads back as `value`, without `.0` on whole numbers.
    static func number(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }
}
