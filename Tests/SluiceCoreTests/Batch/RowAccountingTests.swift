import SluiceCore
import Testing

/// The per-batch accounting catches a decoder that loses or repeats rows.
struct RowAccountingTests {
    /// A batch of `rows` rows at the given positions, covering `start..<next`.
    func batch(sequence: Int = 0, start: Int64, next: Int64, positions: [Int64], skipped: Int = 0, bytes: Bool = false) -> RecordBatch {
        var batch = RecordBatch(sequence: sequence, object: SourceObject(uri: "memory:t", etag: "1", size: 100), startOffset: start)
        batch.positionsAreBytes = bytes
        for position in positions {
            batch.rawStarts.append(Int32(batch.arena.count))
            batch.arena.append(UInt8(ascii: "x"))
            batch.rawEnds.append(Int32(batch.arena.count))
            batch.fieldStarts.append(batch.rawStarts.last!)
            batch.fieldEnds.append(batch.rawEnds.last!)
            batch.rowFieldBase.append(Int32(batch.fieldStarts.count))
            batch.offsets.append(position)
            batch.lines.append(position)
            batch.status.append(.accepted)
        }
        batch.nextOffset = next
        batch.skippedRows = skipped
        return batch
    }

    @Test func contiguousBatchesThatAddUpPass() {
        var accounting = RowAccounting(firstOffset: 2)
        #expect(accounting.check(batch(sequence: 0, start: 2, next: 5, positions: [2, 3, 4])) == nil)
        #expect(accounting.check(batch(sequence: 1, start: 5, next: 9, positions: [5, 8], skipped: 2)) == nil)
        #expect(accounting.expectedStart == 9)
    }

    @Test func aGapBetweenBatchesIsABreach() {
        var accounting = RowAccounting(firstOffset: 2)
        _ = accounting.check(batch(sequence: 0, start: 2, next: 5, positions: [2, 3, 4]))
        let breach = accounting.check(batch(sequence: 1, start: 7, next: 8, positions: [7]))
        #expect(breach?.contains("starts at row position 7, but the previous batch ended at 5") == true)
    }

    @Test func anOverlapIsABreach() {
        var accounting = RowAccounting(firstOffset: 0)
        _ = accounting.check(batch(sequence: 0, start: 0, next: 100, positions: [0, 40], bytes: true))
        #expect(accounting.check(batch(sequence: 1, start: 40, next: 120, positions: [40, 80], bytes: true)) != nil)
    }

    @Test func positionsThatDoNotAddUpToRowsAndBlanksAreABreach() {
        var accounting = RowAccounting(firstOffset: 2)
        let breach = accounting.check(batch(start: 2, next: 12, positions: [2, 3, 4]))
        #expect(breach?.contains("covers 10 row positions") == true)
    }

    @Test func byteSpansAreNotCountedAsRows() {
        var accounting = RowAccounting(firstOffset: 10)
        #expect(accounting.check(batch(start: 10, next: 300, positions: [10, 120], bytes: true)) == nil)
    }

    @Test func aRowOutsideItsBatchOrOutOfOrderIsABreach() {
        var outside = RowAccounting(firstOffset: 2)
        #expect(outside.check(batch(start: 2, next: 4, positions: [2, 3, 4])) != nil)
        var backwards = RowAccounting(firstOffset: 2)
        #expect(backwards.check(batch(start: 2, next: 5, positions: [3, 2, 4])) != nil)
    }

    @Test func aStatusMissingForARowIsABreach() {
        var accounting = RowAccounting(firstOffset: 2)
        var broken = batch(start: 2, next: 4, positions: [2, 3])
        broken.status.removeLast()
        #expect(accounting.check(broken) != nil)
    }
}
