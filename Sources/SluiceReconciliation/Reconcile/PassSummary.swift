/// What one reconciliation pass did: how many observations it applied and with what outcome,
/// how many pages it read and how many gateway calls failed. Passes over several terminals
/// add up (`merge`); a terminal that failed as a whole is named in `failures`.
public struct PassSummary: Sendable, Hashable, Codable {
    /// Observations applied: reconciles answered, transactions and chargebacks read.
    public var observations: Int
    /// Observations by `ObservationOutcome` raw value (`applied`, `unchanged`, …).
    public var outcomes: [String: Int]
    /// Pages of a by-date answer read.
    public var pagesRead: Int
    /// Gateway calls that got no usable answer (the attempt is polled again next pass).
    public var callsFailed: Int
    /// The terminals the pass covered.
    public var terminals: [String]
    /// Terminals that could not be done, with why (no secrets, no personal data).
    public var failures: [String]
    /// Pending pass only: seconds since the oldest due attempt was sent (0 when none is due).
    public var oldestDueSeconds: Double?

    public init(
        observations: Int = 0, outcomes: [String: Int] = [:], pagesRead: Int = 0, callsFailed: Int = 0, terminals: [String] = [],
        failures: [String] = [], oldestDueSeconds: Double? = nil
    ) {
        self.observations = observations
        self.outcomes = outcomes
        self.pagesRead = pagesRead
        self.callsFailed = callsFailed
        self.terminals = terminals
        self.failures = failures
        self.oldestDueSeconds = oldestDueSeconds
    }

    enum CodingKeys: String, CodingKey {
        case observations, outcomes, terminals, failures
        case pagesRead = "pages_read"
        case callsFailed = "calls_failed"
        case oldestDueSeconds = "oldest_due_seconds"
    }

    /// How many observations had `outcome`.
    public func count(_ outcome: ObservationOutcome) -> Int { outcomes[outcome.rawValue] ?? 0 }

    mutating func record(_ results: [ObservationResult]) {
        observations += results.count
        for result in results { outcomes[result.outcome.rawValue, default: 0] += 1 }
    }

    /// Adds `other`'s counts to these.
    public mutating func merge(_ other: PassSummary) {
        observations += other.observations
        outcomes.merge(other.outcomes, uniquingKeysWith: +)
        pagesRead += other.pagesRead
        callsFailed += other.callsFailed
        terminals += other.terminals.filter { !terminals.contains($0) }
        failures += other.failures
        if let seconds = other.oldestDueSeconds { oldestDueSeconds = max(oldestDueSeconds ?? 0, seconds) }
    }

    /// One line for the CLI: `12 observations (applied 3, unchanged 9), 2 pages, 0 failed calls`.
    public var text: String {
        let counts = ObservationOutcome.allCases.compactMap { outcome in outcomes[outcome.rawValue].map { "\(outcome.rawValue) \($0)" } }
        var line = "\(observations) observations" + (counts.isEmpty ? "" : " (\(counts.joined(separator: ", ")))")
        if pagesRead > 0 { line += ", \(pagesRead) pages" }
        line += ", \(callsFailed) failed calls"
        if !terminals.isEmpty { line += ", terminals \(terminals.joined(separator: ", "))" }
        if let oldestDueSeconds { line += ", oldest due \(Int(oldestDueSeconds)) s" }
        return ([line] + failures.map { "failed: \($0)" }).joined(separator: "\n")
    }
}
