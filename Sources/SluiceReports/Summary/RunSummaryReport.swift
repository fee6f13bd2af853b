import Foundation
import SluiceCore

/// What a run did, in numbers: the run (status, rows, rejections by reason) and the views a
/// report adds: rejections by stage, timings per step.
///
/// Rendered as text for the terminal, JSON, CSV, and as the `Summary` sheet of an XLSX
/// rejection report. Rejection counts are per reason: a row rejected for two reasons
/// counts once under each.
public struct RunSummaryReport: Sendable, Hashable {
    /// The run as `sluice.runs` holds it: identity, status, error, totals, start and finish.
    public var run: RunRecord
    /// Seconds per pipeline step, as the run recorded them.
    public var timings: [String: Double]
    /// The run's payee-verification figures; `nil` when it checked no row.
    public var vop: VOPFigures?

    public init(run: RunRecord, timings: [String: Double], vop: VOPFigures? = nil) {
        self.run = run
        self.timings = timings
        self.vop = vop
    }

    /// Rejected rows per reason code, from the run's totals.
    public var rejectionsByReason: [String: Int64] { run.counters.rejectedByReason }

    /// Rejected rows per stage, summed from the reason codes.
    public var rejectionsByStage: [String: Int64] { run.counters.rejectedByStage }

    /// The stages in pipeline order, then any other.
    static let stageOrder = ([StageName.parse] + StageName.pipelineOrder).map(\.rawValue)

    var sortedStages: [(String, Int64)] {
        rejectionsByStage.sorted { (Self.stageOrder.firstIndex(of: $0.key) ?? 99, $0.key) < (Self.stageOrder.firstIndex(of: $1.key) ?? 99, $1.key) }
    }

    /// Reasons, most frequent first.
    var sortedReasons: [(String, Int64)] {
        rejectionsByReason.sorted { ($1.value, $0.key) < ($0.value, $1.key) }
    }
}

extension RunSummaryReport: Encodable {
    enum CodingKeys: String, CodingKey {
        case runID = "run_id", pipeline, object, status, error
        case rowsRead = "rows_read", rowsAccepted = "rows_accepted", rowsRejected = "rows_rejected"
        case rowsFlagged = "rows_flagged", flagsByReason = "flags_by_reason"
        case bytesRead = "bytes_read", batches
        case rejectionsByReason = "rejections_by_reason", rejectionsByStage = "rejections_by_stage"
        case timings, startedAt = "started_at", finishedAt = "finished_at", durationSeconds = "duration_seconds"
        case vop
    }

    /// The keys `sluice report summary --format json` has always printed (docs/reports.md):
    /// the run's fields flat, its counters as `rows_*`, `error`, `finished_at` and
    /// `duration_seconds` only when they have a value; `vop` only for a run with VOP checks.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        let counters = run.counters
        try container.encode(run.idText, forKey: .runID)
        try container.encode(run.pipeline, forKey: .pipeline)
        try container.encode(run.objectURI, forKey: .object)
        try container.encode(run.status, forKey: .status)
        try container.encodeIfPresent(run.error, forKey: .error)
        try container.encode(counters.rowsRead, forKey: .rowsRead)
        try container.encode(counters.rowsAccepted, forKey: .rowsAccepted)
        try container.encode(counters.rowsRejected, forKey: .rowsRejected)
        try container.encode(counters.rowsFlagged, forKey: .rowsFlagged)
        try container.encode(counters.flaggedByReason, forKey: .flagsByReason)
        try container.encode(counters.bytesRead, forKey: .bytesRead)
        try container.encode(counters.batches, forKey: .batches)
        try container.encode(rejectionsByReason, forKey: .rejectionsByReason)
        try container.encode(rejectionsByStage, forKey: .rejectionsByStage)
        try container.encode(timings, forKey: .timings)
        try container.encode(run.startedAt, forKey: .startedAt)
        try container.encodeIfPresent(run.finishedAt, forKey: .finishedAt)
        try container.encodeIfPresent(run.durationSeconds, forKey: .durationSeconds)
        try container.encodeIfPresent(vop, forKey: .vop)
    }
}
