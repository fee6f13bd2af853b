import Foundation

/// Where the billing of one run stands: for `sluice billing status` and `GET /v1/runs/{id}/billing`.
public struct BillingSummary: Sendable, Hashable, Encodable {
    public struct Pause: Sendable, Hashable, Encodable {
        public var reason: String
        public var until: Date?
    }

    public var runID: UUID
    public var pipeline: String
    public var terminal: String
    public var state: BillingRunRecord.State
    public var requestedBy: String
    public var createdAt: Date
    public var startedAt: Date?
    public var finishedAt: Date?
    /// Set while the gateway's breaker keeps billing of this run waiting.
    public var paused: Pause?
    public var plannedThroughLine: Int64
    /// Attempts by status.
    public var attempts: [String: Int64]
    public var attemptsTotal: Int64
    /// Amounts in minor units by status.
    public var amountsMinor: [String: Int64]
    /// Skipped rows by reason code.
    public var skipped: [String: Int64]
    public var skippedTotal: Int64

    enum CodingKeys: String, CodingKey {
        case pipeline, terminal, state, paused, attempts, skipped
        case runID = "run_id"
        case requestedBy = "requested_by"
        case createdAt = "created_at"
        case startedAt = "started_at"
        case finishedAt = "finished_at"
        case plannedThroughLine = "planned_through_line"
        case attemptsTotal = "attempts_total"
        case amountsMinor = "amounts_minor"
        case skippedTotal = "skipped_total"
    }

    /// Lines for a terminal.
    public var text: String {
        var lines = ["billing of run \(runID.uuidString.lowercased()) (\(pipeline), terminal \(terminal)): \(state.rawValue)"]
        if let paused { lines.append("  paused: \(paused.reason)") }
        let statuses = attempts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        lines.append("  attempts: \(attemptsTotal)\(statuses.isEmpty ? "" : " (\(statuses))")")
        if let approved = amountsMinor["approved"] { lines.append("  approved amount: €\(MinorUnits.format(approved))") }
        let reasons = skipped.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        lines.append("  skipped: \(skippedTotal)\(reasons.isEmpty ? "" : " (\(reasons))")")
        return lines.joined(separator: "\n")
    }
}
