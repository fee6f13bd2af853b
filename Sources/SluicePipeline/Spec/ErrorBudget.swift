import SluiceCore

/// How many rejected rows a run may have before it fails as a whole (`failed_budget`).
///
/// - `maxRejectedRows` is checked after every committed batch, so a hopeless file stops early.
/// - `maxRejectedRatio` (rejected ÷ read) is a statement about the whole file, so it is
///   judged once every row has been read.
public struct ErrorBudget: Sendable, Hashable {
    public var maxRejectedRatio: Double?
    public var maxRejectedRows: Int?

    public init(maxRejectedRatio: Double? = nil, maxRejectedRows: Int? = nil) {
        self.maxRejectedRatio = maxRejectedRatio
        self.maxRejectedRows = maxRejectedRows
    }

    public var isLimited: Bool { maxRejectedRatio != nil || maxRejectedRows != nil }

    /// Why `counters` are over the row limit, or `nil` while they are within it.
    public func rowLimitBreach(_ counters: RunCounters) -> String? {
        guard let limit = maxRejectedRows, counters.rowsRejected > Int64(limit) else { return nil }
        return "\(counters.rowsRejected) rows rejected, more than max_rejected_rows (\(limit))"
    }

    /// Why the finished run's `counters` are over budget, or `nil` when they are within it.
    public func finalBreach(_ counters: RunCounters) -> String? {
        if let reason = rowLimitBreach(counters) { return reason }
        guard let ratio = maxRejectedRatio, counters.rowsRead > 0 else { return nil }
        let actual = Double(counters.rowsRejected) / Double(counters.rowsRead)
        guard actual > ratio else { return nil }
        return "\(counters.rowsRejected) of \(counters.rowsRead) rows rejected (\(Self.percent(actual))), more than max_rejected_ratio (\(Self.percent(ratio)))"
    }

    static func percent(_ value: Double) -> String {
        let scaled = (value * 10_000).rounded() / 100
        return "\(scaled)%"
    }
}
