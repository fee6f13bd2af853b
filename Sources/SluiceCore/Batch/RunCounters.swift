/// Counts of one run, or of one batch, that add up across batches.
public struct RunCounters: Sendable, Hashable, Codable {
    public var rowsRead: Int64 = 0
    public var rowsAccepted: Int64 = 0
    public var rowsRejected: Int64 = 0
    /// Blank lines or rows between records: no records, but accounted for.
    public var rowsSkipped: Int64 = 0
    /// Accepted rows that carry a review code (counted in `rowsAccepted` too).
    public var rowsFlagged: Int64 = 0
    public var bytesRead: Int64 = 0
    public var batches: Int64 = 0
    /// Rejected rows per reason code. A row with several reasons counts once per reason.
    public var rejectedByReason: [String: Int64] = [:]
    /// Flagged (accepted) rows per review code.
    public var flaggedByReason: [String: Int64] = [:]

    /// Rejected rows per stage, summed from the reason codes by the stage that gives each
    /// code (`ReasonCode.stage`).
    public var rejectedByStage: [String: Int64] {
        var stages: [String: Int64] = [:]
        for (code, count) in rejectedByReason { stages[ReasonCode(code).stage.rawValue, default: 0] += count }
        return stages
    }

    public init() {}

    /// Counts of one batch.
    public init(batch: RecordBatch) {
        rowsRead = Int64(batch.rowCount)
        rowsAccepted = Int64(batch.acceptedCount)
        rowsRejected = rowsRead - rowsAccepted
        rowsSkipped = Int64(batch.skippedRows)
        let flags = batch.acceptedFlags
        rowsFlagged = Int64(Set(flags.map(\.row)).count)
        for flag in flags {
            flaggedByReason[flag.code.rawValue, default: 0] += 1
        }
        bytesRead = batch.sourceByteCount
        batches = 1
        for rejection in batch.rejections {
            rejectedByReason[rejection.code.rawValue, default: 0] += 1
        }
    }

    public mutating func add(_ other: RunCounters) {
        rowsRead += other.rowsRead
        rowsAccepted += other.rowsAccepted
        rowsRejected += other.rowsRejected
        rowsSkipped += other.rowsSkipped
        rowsFlagged += other.rowsFlagged
        for (code, count) in other.flaggedByReason {
            flaggedByReason[code, default: 0] += count
        }
        bytesRead += other.bytesRead
        batches += other.batches
        for (code, count) in other.rejectedByReason {
            rejectedByReason[code, default: 0] += count
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        rowsRead = try container.decode(Int64.self, forKey: .rowsRead)
        rowsAccepted = try container.decode(Int64.self, forKey: .rowsAccepted)
        rowsRejected = try container.decode(Int64.self, forKey: .rowsRejected)
        rowsSkipped = try container.decodeIfPresent(Int64.self, forKey: .rowsSkipped) ?? 0
        bytesRead = try container.decode(Int64.self, forKey: .bytesRead)
        batches = try container.decode(Int64.self, forKey: .batches)
        rejectedByReason = try container.decode([String: Int64].self, forKey: .rejectedByReason)
        rowsFlagged = try container.decodeIfPresent(Int64.self, forKey: .rowsFlagged) ?? 0
        flaggedByReason = try container.decodeIfPresent([String: Int64].self, forKey: .flaggedByReason) ?? [:]
    }

    enum CodingKeys: String, CodingKey {
        case rowsRead = "rows_read"
        case rowsAccepted = "rows_accepted"
        case rowsRejected = "rows_rejected"
        case rowsSkipped = "rows_skipped"
        case rowsFlagged = "rows_flagged"
        case flaggedByReason = "flagged_by_reason"
        case bytesRead = "bytes_read"
        case batches
        case rejectedByReason = "rejected_by_reason"
    }
}
