import Foundation
import SluiceCore

/// What a run did, in numbers: rows, rejections by reason and by stage, timings per step.
///
/// Rendered as text for the terminal, JSON, CSV, and as the `Summary` sheet of an XLSX
/// rejection report. Rejection counts are per reason: a row rejected for two reasons
/// counts once under each.
public struct RunSummaryReport: Sendable, Hashable, Codable {
    public var runID: String
    public var pipeline: String
    public var object: String
    public var status: String
    public var error: String?
    public var rowsRead: Int64
    public var rowsAccepted: Int64
    public var rowsRejected: Int64
    /// Accepted rows with a review code (also counted as accepted).
    public var rowsFlagged: Int64 = 0
    /// Flagged rows per review code.
    public var flagsByReason: [String: Int64] = [:]
    public var bytesRead: Int64
    public var batches: Int64
    public var rejectionsByReason: [String: Int64]
    public var rejectionsByStage: [String: Int64]
    /// Seconds per pipeline step, as the run recorded them.
    public var timings: [String: Double]
    public var startedAt: Date
    public var finishedAt: Date?
    /// From start to finish; `nil` while the run has not finished.
    public var durationSeconds: Double?

    public init(
        runID: String, pipeline: String, object: String, status: String, error: String? = nil,
        rowsRead: Int64, rowsAccepted: Int64, rowsRejected: Int64, bytesRead: Int64, batches: Int64,
        rejectionsByReason: [String: Int64], timings: [String: Double], startedAt: Date, finishedAt: Date?
    ) {
        self.runID = runID
        self.pipeline = pipeline
        self.object = object
        self.status = status
        self.error = error
        self.rowsRead = rowsRead
        self.rowsAccepted = rowsAccepted
        self.rowsRejected = rowsRejected
        self.bytesRead = bytesRead
        self.batches = batches
        self.rejectionsByReason = rejectionsByReason
        self.rejectionsByStage = Self.byStage(rejectionsByReason)
        self.timings = timings
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.durationSeconds = finishedAt.map { $0.timeIntervalSince(startedAt) }
    }

    /// Sums reason counts by the stage that gives each code (`ReasonCode.stage`).
    public static func byStage(_ reasons: [String: Int64]) -> [String: Int64] {
        var stages: [String: Int64] = [:]
        for (code, count) in reasons { stages[ReasonCode(code).stage.rawValue, default: 0] += count }
        return stages
    }

    /// The stages in pipeline order, then any other.
    static let stageOrder = ([StageName.parse] + StageName.pipelineOrder).map(\.rawValue)

    var sortedStages: [(String, Int64)] {
        rejectionsByStage.sorted { (Self.stageOrder.firstIndex(of: $0.key) ?? 99, $0.key) < (Self.stageOrder.firstIndex(of: $1.key) ?? 99, $1.key) }
    }

    /// Reasons, most frequent first.
    var sortedReasons: [(String, Int64)] {
        rejectionsByReason.sorted { ($1.value, $0.key) < ($0.value, $1.key) }
    }

    enum CodingKeys: String, CodingKey {
        case runID = "run_id", pipeline, object, status, error
        case rowsRead = "rows_read", rowsAccepted = "rows_accepted", rowsRejected = "rows_rejected"
        case rowsFlagged = "rows_flagged", flagsByReason = "flags_by_reason"
        case bytesRead = "bytes_read", batches
        case rejectionsByReason = "rejections_by_reason", rejectionsByStage = "rejections_by_stage"
        case timings, startedAt = "started_at", finishedAt = "finished_at", durationSeconds = "duration_seconds"
    }
}
