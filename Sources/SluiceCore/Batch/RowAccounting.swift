/// Checks, batch by batch and in order, that the decoder accounted for every row of the
/// source: no span of the source between two batches, rows inside their batch's span, and
/// for positions that count rows (XLSX) as many rows plus blank rows as positions covered.
///
/// Defects in a decoder (rows below a number skipped, a resume point in the wrong place)
/// show up here as a broken invariant instead of a run that completes with rows missing.
///
/// ```swift
/// var accounting = RowAccounting(firstOffset: header.dataOffset)
/// if let breach = accounting.check(batch) { throw … }
/// ```
public struct RowAccounting: Sendable, Hashable {
    /// Where the next batch must start: the previous batch's `nextOffset`.
    public private(set) var expectedStart: Int64

    public init(firstOffset: Int64) {
        expectedStart = firstOffset
    }

    /// Why `batch` does not add up, or `nil` when it does. Moves on to the next batch either way.
    public mutating func check(_ batch: RecordBatch) -> String? {
        defer { expectedStart = batch.nextOffset }
        let what = batch.positionsAreBytes ? "byte" : "row position"
        if batch.startOffset != expectedStart {
            return "batch \(batch.sequence) starts at \(what) \(batch.startOffset), but the previous batch ended at \(expectedStart)"
        }
        let rows = batch.rowCount
        guard batch.status.count == rows, batch.offsets.count == rows, batch.lines.count == rows,
              batch.rowFieldBase.count == rows + 1 else {
            return "batch \(batch.sequence) has \(rows) rows but \(batch.status.count) statuses, \(batch.offsets.count) positions and \(batch.lines.count) lines"
        }
        guard batch.nextOffset >= batch.startOffset else {
            return "batch \(batch.sequence) ends at \(what) \(batch.nextOffset), before it starts (\(batch.startOffset))"
        }
        var previous = batch.startOffset - 1
        for (row, offset) in batch.offsets.enumerated() {
            guard offset > previous, offset < batch.nextOffset else {
                return "row \(row) of batch \(batch.sequence) is at \(what) \(offset), outside its batch's span \(batch.startOffset)..<\(batch.nextOffset) or out of order"
            }
            previous = offset
        }
        for rejection in batch.rejections where Int(rejection.row) >= rows || rejection.row < 0 {
            return "batch \(batch.sequence) has a rejection for row \(rejection.row), but only \(rows) rows"
        }
        if !batch.positionsAreBytes {
            let covered = batch.nextOffset - batch.startOffset
            if covered != Int64(rows + batch.skippedRows) {
                return "batch \(batch.sequence) covers \(covered) row positions (\(batch.startOffset)..<\(batch.nextOffset)) but holds \(rows) rows and \(batch.skippedRows) blank rows"
            }
        }
        return nil
    }
}
