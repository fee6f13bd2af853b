import SluiceCore
import SluicePostgres
import Testing

/// The run invariant, as a value: a run completes only when every row it covered is in the
/// target table, in the rejections, or counted as blank.
struct RunInvariantTests {
    typealias Batch = RunInvariant.Batch

    static let batches = [
        Batch(sequence: 0, startOffset: 2, nextOffset: 12, rowsRead: 9, rowsAccepted: 8, rowsRejected: 1, rowsSkipped: 1),
        Batch(sequence: 1, startOffset: 12, nextOffset: 17, rowsRead: 5, rowsAccepted: 5, rowsRejected: 0, rowsSkipped: 0),
    ]

    static func counters(read: Int64 = 14, accepted: Int64 = 13, rejected: Int64 = 1, skipped: Int64 = 1) -> RunCounters {
        var counters = RunCounters()
        counters.rowsRead = read
        counters.rowsAccepted = accepted
        counters.rowsRejected = rejected
        counters.rowsSkipped = skipped
        return counters
    }

    @Test func aRunThatAddsUpHasNoBreach() {
        let invariant = RunInvariant(batches: Self.batches, counters: Self.counters(), loadedRows: 13, rejectedRows: 1)
        #expect(invariant.breaches(firstOffset: 2, positionsCountRows: true).isEmpty)
    }

    @Test func anEmptyRunAddsUp() {
        let invariant = RunInvariant(batches: [], counters: RunCounters(), loadedRows: 0, rejectedRows: 0)
        #expect(invariant.breaches(firstOffset: 2, positionsCountRows: true).isEmpty)
    }

    @Test func aMissingTargetRowIsABreach() {
        let invariant = RunInvariant(batches: Self.batches, counters: Self.counters(), loadedRows: 12, rejectedRows: 1)
        #expect(invariant.breaches(firstOffset: 2, positionsCountRows: true) == [
            "the target table holds 12 rows of the run, but 13 were accepted",
        ])
    }

    @Test func aMissingRejectionIsABreach() {
        let invariant = RunInvariant(batches: Self.batches, counters: Self.counters(), loadedRows: 13, rejectedRows: 0)
        #expect(invariant.breaches(firstOffset: 2, positionsCountRows: true).count == 1)
    }

    @Test func aGapBetweenCheckpointsIsABreach() {
        var batches = Self.batches
        batches[1].startOffset = 13
        let problems = RunInvariant(batches: batches, counters: Self.counters(), loadedRows: 13, rejectedRows: 1)
            .breaches(firstOffset: 2, positionsCountRows: false)
        #expect(problems.contains("batch 1 starts at 13, but the batch before it ended at 12"))
    }

    @Test func aBatchNeverCommittedIsABreach() {
        let problems = RunInvariant(batches: [Self.batches[1]], counters: Self.counters(read: 5, accepted: 5, rejected: 0, skipped: 0), loadedRows: 5, rejectedRows: 0)
            .breaches(firstOffset: 2, positionsCountRows: true)
        #expect(problems.first == "batch 0 was never committed (the next committed batch is 1)")
    }

    @Test func rowPositionsMustAddUpToRowsAndBlanks() {
        var batches = Self.batches
        batches[0].rowsSkipped = 0
        let counters = Self.counters(skipped: 0)
        let asRows = RunInvariant(batches: batches, counters: counters, loadedRows: 13, rejectedRows: 1)
        #expect(asRows.breaches(firstOffset: 2, positionsCountRows: true) == [
            "batch 0 covers 10 rows of the sheet but read 9 and skipped 0",
        ])
        #expect(asRows.breaches(firstOffset: 2, positionsCountRows: false).isEmpty, "byte spans do not count rows")
    }

    @Test func countersThatDifferFromTheBatchesAreABreach() {
        let invariant = RunInvariant(batches: Self.batches, counters: Self.counters(read: 15, accepted: 14), loadedRows: 14, rejectedRows: 1)
        #expect(invariant.breaches(firstOffset: 2, positionsCountRows: true).count == 1)
    }

    @Test func flagsMustMatchBetweenCountersBatchesAndTheRejectionsTable() {
        var batches = Self.batches
        batches[0].rowsFlagged = 2
        var counters = Self.counters()
        counters.rowsFlagged = 2
        #expect(RunInvariant(batches: batches, counters: counters, loadedRows: 13, rejectedRows: 1, flaggedRows: 2)
            .breaches(firstOffset: 2, positionsCountRows: true).isEmpty)
        let missing = RunInvariant(batches: batches, counters: counters, loadedRows: 13, rejectedRows: 1, flaggedRows: 1)
        #expect(missing.breaches(firstOffset: 2, positionsCountRows: true) == [
            "the run counts 2 flagged rows, its batches 2, and the rejections table holds flags for 1",
        ])
    }
}
