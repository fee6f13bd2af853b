import SluiceCore

/// Collects the rows of one batch as the sheet is parsed: field spans, the raw CSV record of
/// each row, its sheet row number and position, and its rejections. Rows are contiguous in
/// the arena, so the rows parsed beyond a batch's end can be split off into the next one.
/// Blank rows are no records, but their positions are kept so each batch can say how many
/// of the positions it covers were blank.
struct XLSXBatchBuilder {
    var arena: [UInt8] = []
    var fieldStarts: [Int32] = []
    var fieldEnds: [Int32] = []
    var rowFieldBase: [Int32] = [0]
    var rawStarts: [Int32] = []
    var rawEnds: [Int32] = []
    var lines: [Int64] = []
    /// Per row: its position (ordinal of its `<row>` element), the checkpoint position.
    var positions: [Int64] = []
    /// Positions of blank rows below the header not yet handed out in a batch, ascending.
    var skippedPositions: [Int64] = []
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
        positions.reserveCapacity(expectedRows)
        rowArenaStarts.reserveCapacity(expectedRows)
    }

    /// Records a blank row at `position`.
    mutating func skip(position: Int64) {
        skippedPositions.append(position)
    }

    /// Drops every row and blank row at a position below `position` (a seek forward).
    mutating func dropBelow(_ position: Int64) {
        let below = positions.firstIndex { $0 >= position } ?? rowCount
        _ = takeFirst(below)
        skippedPositions.removeAll { $0 < position }
    }

    /// Removes and returns the first `count` rows; the rest stay, rebased.
    /// Blank rows go with the first part when they lie before its last row.
    mutating func takeFirst(_ count: Int) -> XLSXBatchBuilder {
        guard count < rowCount else {
            var all = self
            let end = (positions.last ?? 0) + 1
            let blanks = skippedPositions.firstIndex { $0 >= end } ?? skippedPositions.count
            all.skippedPositions = Array(skippedPositions[..<blanks])
            let later = Array(skippedPositions[blanks...])
            self = XLSXBatchBuilder(expectedRows: all.rowCount, expectedFields: all.rowCount > 0 ? all.fieldStarts.count / all.rowCount : 0)
            self.skippedPositions = later
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
        first.positions = Array(positions[..<count])
        let blanks = count == 0 ? 0 : skippedPositions.firstIndex { $0 > positions[count - 1] } ?? skippedPositions.count
        first.skippedPositions = Array(skippedPositions[..<blanks])
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
        positions.removeSubrange(..<count)
        skippedPositions.removeSubrange(..<blanks)
        rowArenaStarts = rowArenaStarts[count...].map { $0 - shift }
        rejections = rejections.filter { Int($0.row) >= count }.map {
            var moved = $0
            moved.row -= Int32(count)
            return moved
        }
        return first
    }

    /// The batch these rows make. It covers the positions `startOffset..<nextOffset`: its rows
    /// and the blank rows among them.
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
        // The row's position is the checkpoint position: resuming skips the rows below it.
        batch.offsets = positions
        batch.skippedRows = skippedPositions.count
        batch.status = [RowStatus](repeating: .accepted, count: rowCount)
        for rejection in rejections { batch.status[Int(rejection.row)] = .rejected }
        batch.rejections = rejections
        batch.nextOffset = nextOffset
        batch.nextLine = (lines.last ?? 0) + 1
        return batch
    }
}
