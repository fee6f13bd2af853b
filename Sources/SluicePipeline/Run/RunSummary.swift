import Foundation
import SluiceCore

/// The outcome of `sluice run`, printed as text or JSON.
public struct RunSummary: Sendable, Codable {
    public var runID: String
    public var pipeline: String
    public var object: String
    public var etag: String
    public var status: String
    /// Totals over every attempt of the run.
    public var totals: RunCounters
    /// What this invocation did.
    public var thisAttempt: RunCounters
    public var resumed: Bool
    public var resumedFromOffset: Int64?
    /// What was detected about the input and undone while reading it (compression, UTF-16).
    public var detected: [String] = []
    public var seconds: Double
    public var rowsPerSecond: Double
    /// Busy time per stage in seconds; stages overlap, so they add up to more than `seconds`.
    public var stageSeconds: [String: Double]
    public var targetTable: String
    public var error: String?

    enum CodingKeys: String, CodingKey {
        case runID = "run_id"
        case pipeline, object, etag, status, totals
        case thisAttempt = "this_attempt"
        case resumed
        case resumedFromOffset = "resumed_from_offset"
        case detected
        case seconds
        case rowsPerSecond = "rows_per_second"
        case stageSeconds = "stage_seconds"
        case targetTable = "target_table"
        case error
    }
}
