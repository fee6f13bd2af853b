import SluiceCore

/// Collects the rows of one batch as the sheet is parsed: field spans, the raw CSV record of
/// each row, its sheet row number, and its rejections. Rows are contiguous in the arena, so
/// the rows parsed beyond a batch's end can be split off into the next one.
struct XLSXBatchBuilder {
    var arena: [UInt8] = []
    var fieldStarts: [Int32] = []
    var fieldEnds: [Int32] = []
    var rowFieldBase: [Int32] = [0]
    var rawStarts: [Int32] = []
    var rawEnds: [Int32] = []
    var lines: [Int64] = []
    /// Where each row's bytes begin in the arena.
    var rowArenaStarts: [Int32] = []
    var rejections: [Rejection] = []

    var rowCount: Int { rawStarts.count }

    init(expectedRows: Int = 0, expectedFields: Int = 0) {
        arena.reserveCapacity(expectedRows * expectedFields * 12)
        fieldStarts.reserveCapacity(expectedRows * expectedFields)
        fieldEnds.reserveCapacity(expectedRows * expectedFields)
        rowFieldBase.reserveCapacity(expectedRows + 1)
        rawStarts.reserveCapacity(expectedRows)
        rawEnds.reserveCapacity(expectedRows)
        lines.reserveCapacity(expectedRows)
        rowArenaStarts.reserveCapacity(expectedRows)
    }

    /// Removes and returns the first `count` rows; the rest stay, rebased.
    mutating func takeFirst(_ count: Int) -> XLSXBatchBuilder {
        guard count < rowCount else {
            let all = self
            self = XLSXBatchBuilder(expectedRows: all.rowCount, expectedFields: all.rowCount > 0 ? all.fieldStarts.count / all.rowCount : 0)
            return all
        }
        let arenaCut = Int(rowArenaStarts[count])
        let fieldCut = Int(rowFieldBase[count])
        var first = XLSXBatchBuilder()
        first.arena = Array(arena[..<arenaCut])
        first.fieldStarts = Array(fieldStarts[..<fieldCut])
        first.fieldEnds = Array(fieldEnds[..<fieldCut])
        first.rowFieldBase = Array(rowFieldBase[...count])
        first.rawStarts = Array(rawStarts[..<count])
        first.rawEnds = Array(rawEnds[..<count])
        first.lines = Array(lines[..<count])
        first.rowArenaStarts = Array(rowArenaStarts[..<count])
        first.rejections = rejections.filter { Int($0.row) < count }

        let shift = Int32(arenaCut)
        arena.removeSubrange(..<arenaCut)
        fieldStarts = fieldStarts[fieldCut...].map { $0 - shift }
        fieldEnds = fieldEnds[fieldCut...].map { $0 - shift }
        rowFieldBase = rowFieldBase[count...].map { $0 - Int32(fieldCut) }
        rawStarts = rawStarts[count...].map { $0 - shift }
        rawEnds = rawEnds[count...].map { $0 - shift }
        lines.removeSubrange(..<count)
        rowArenaStarts = rowArenaStarts[count...].map { $0 - shift }
        rejections = rejections.filter { Int($0.row) >= count }.map {
            var moved = $0
            moved.row -= Int32(count)
            return moved
        }
        return first
    }

    /// The batch these rows make.
    func batch(sequence: Int, object: SourceObject, startOffset: Int64, nextOffset: Int64) -> RecordBatch {
        var batch = RecordBatch(sequence: sequence, object: object, startOffset: startOffset)
        batch.positionsAreBytes = false
        batch.arena = arena
        batch.fieldStarts = fieldStarts
        batch.fieldEnds = fieldEnds
        batch.rowFieldBase = rowFieldBase
        batch.rawStarts = rawStarts
        batch.rawEnds = rawEnds
        batch.lines = lines
        // A sheet row number is the checkpoint position: resuming skips the rows below it.
        batch.offsets = lines
        batch.status = [RowStatus](repeating: .accepted, count: rowCount)
        for rejection in rejections { batch.status[Int(rejection.row)] = .rejected }
        batch.rejections = rejections
        batch.nextOffset = nextOffset
        batch.nextLine = nextOffset
        return batch
    }
}
