import Foundation
import Hummingbird
import SluiceCore

/// A run as `GET /v1/runs/{id}` and `GET /v1/runs` show it.
public struct RunResource: Sendable, Hashable, Encodable, ResponseEncodable {
    public var run: RunRecord
    /// Who holds the run's lease now, when anyone does.
    public var leaseOwner: String?

    public init(run: RunRecord, leaseOwner: String? = nil) {
        self.run = run
        self.leaseOwner = leaseOwner
    }

    enum CodingKeys: String, CodingKey {
        case id, pipeline, object, etag, status, error, targetTable = "target_table"
        case rowsRead = "rows_read", rowsAccepted = "rows_accepted", rowsRejected = "rows_rejected", rowsSkipped = "rows_skipped"
        case rowsFlagged = "rows_flagged", bytesRead = "bytes_read", objectSize = "object_size", batches
        case rejectionsByReason = "rejections_by_reason", rejectionsByStage = "rejections_by_stage", flagsByReason = "flags_by_reason"
        case attempts, node, mode, leaseOwner = "lease_owner"
        case startedAt = "started_at", updatedAt = "updated_at", finishedAt = "finished_at", durationSeconds = "duration_seconds"
        case rowsPerSecond = "rows_per_second", etaSeconds = "eta_seconds"
    }

    /// Rows read per second from the run's start to its last batch (or its end).
    public var rowsPerSecond: Double? {
        let seconds = (run.finishedAt ?? run.updatedAt).timeIntervalSince(run.startedAt)
        guard seconds > 0, run.counters.rowsRead > 0 else { return nil }
        return Double(run.counters.rowsRead) / seconds
    }

    /// Seconds until a running run reaches the end of its object, at the pace of its bytes so
    /// far; `nil` for a run that is not running or has not read a byte yet.
    public var etaSeconds: Double? {
        guard run.status == .running, run.counters.bytesRead > 0, run.objectSize >= run.counters.bytesRead else { return nil }
        let seconds = run.updatedAt.timeIntervalSince(run.startedAt)
        guard seconds > 0 else { return nil }
        return Double(run.objectSize - run.counters.bytesRead) / (Double(run.counters.bytesRead) / seconds)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        let counters = run.counters
        try container.encode(run.idText, forKey: .id)
        try container.encode(run.pipeline, forKey: .pipeline)
        try container.encode(run.objectURI, forKey: .object)
        try container.encode(run.etag, forKey: .etag)
        try container.encode(run.status, forKey: .status)
        try container.encodeIfPresent(run.error, forKey: .error)
        try container.encode(run.targetTable, forKey: .targetTable)
        try container.encode(counters.rowsRead, forKey: .rowsRead)
        try container.encode(counters.rowsAccepted, forKey: .rowsAccepted)
        try container.encode(counters.rowsRejected, forKey: .rowsRejected)
        try container.encode(counters.rowsSkipped, forKey: .rowsSkipped)
        try container.encode(counters.rowsFlagged, forKey: .rowsFlagged)
        try container.encode(counters.bytesRead, forKey: .bytesRead)
        try container.encode(run.objectSize, forKey: .objectSize)
        try container.encode(counters.batches, forKey: .batches)
        try container.encode(counters.rejectedByReason, forKey: .rejectionsByReason)
        try container.encode(counters.rejectedByStage, forKey: .rejectionsByStage)
        try container.encode(counters.flaggedByReason, forKey: .flagsByReason)
        try container.encode(run.attempts, forKey: .attempts)
        try container.encodeIfPresent(run.node, forKey: .node)
        try container.encode(run.mode, forKey: .mode)
        try container.encodeIfPresent(leaseOwner, forKey: .leaseOwner)
        try container.encode(run.startedAt, forKey: .startedAt)
        try container.encode(run.updatedAt, forKey: .updatedAt)
        try container.encodeIfPresent(run.finishedAt, forKey: .finishedAt)
        try container.encodeIfPresent(run.durationSeconds, forKey: .durationSeconds)
        try container.encodeIfPresent(rowsPerSecond, forKey: .rowsPerSecond)
        try container.encodeIfPresent(etaSeconds, forKey: .etaSeconds)
    }
}
