import Foundation

/// A run handed to billing (`sluice.billing_runs`).
public struct BillingRunRecord: Sendable, Hashable {
    public enum State: String, Sendable, Hashable, Codable {
        /// Rows are being decided (and the decided ones charged).
        case planning
        /// Every row is decided; attempts are being charged or settled.
        case charging
        /// Every attempt was answered.
        case completed
    }

    public var runID: UUID
    public var pipeline: String
    public var targetTable: String
    public var settings: BillingSettings
    public var state: State
    public var plannedThroughLine: Int64
    public var pausedReason: String?
    public var pausedUntil: Date?
    public var requestedBy: String
    public var createdAt: Date
    public var startedAt: Date?
    public var finishedAt: Date?
}
