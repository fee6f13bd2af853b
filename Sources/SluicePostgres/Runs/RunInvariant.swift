import SluiceCore

/// The run invariant, checked before a run may complete: every position of the source that
/// the run covered is accounted for, once.
///
/// - the batches' spans follow each other without a gap from the first data position;
/// - each batch's rows are accepted or rejected: read = accepted + rejected;
/// - the run's counters are the sum of its batches';
/// - the target table holds exactly the accepted rows, and the rejections table one or more
///   rejections for exactly the rejected rows and flags for exactly the flagged ones;
/// - where positions count rows (XLSX), positions covered = rows read + blank rows skipped.
///
/// It is a value built from what PostgreSQL holds (`RunStore.invariantFacts`), so it is
/// tested without a database.
public struct RunInvariant: Sendable, Hashable {
    /// One committed batch, as its checkpoint row has it.
    public struct Batch: Sendable, Hashable {
        public var sequence: Int
        public var startOffset: Int64
        public var nextOffset: Int64
        public var rowsRead: Int64
        public var rowsAccepted: Int64
        public var rowsRejected: Int64
        public var rowsSkipped: Int64
        /// Accepted rows with a review code, counted in `rowsAccepted` too.
        public var rowsFlagged: Int64 = 0

        public init(sequence: Int, startOffset: Int64, nextOffset: Int64, rowsRead: Int64, rowsAccepted: Int64, rowsRejected: Int64, rowsSkipped: Int64) {
            self.sequence = sequence
            self.startOffset = startOffset
            self.nextOffset = nextOffset
            self.rowsRead = rowsRead
            self.rowsAccepted = rowsAccepted
            self.rowsRejected = rowsRejected
            self.rowsSkipped = rowsSkipped
        }
    }

    /// Checkpoints in sequence order.
    public var batches: [Batch]
    /// The run's counters in `sluice.runs`.
    public var counters: RunCounters
    /// Rows of the run in the target table.
    public var loadedRows: Int64
    /// Distinct rows (by position) of the run in `sluice.rejections`, outcome `rejected`.
    public var rejectedRows: Int64
    /// Distinct rows (by position) of the run in `sluice.rejections`, outcome `flagged`.
    public var flaggedRows: Int64

    public init(batches: [Batch], counters: RunCounters, loadedRows: Int64, rejectedRows: Int64, flaggedRows: Int64 = 0) {
        self.batches = batches
        self.counters = counters
        self.loadedRows = loadedRows
        self.rejectedRows = rejectedRows
        self.flaggedRows = flaggedRows
    }

    /// What does not add up, in plain words; empty when the run may complete.
    ///
    /// - Parameters:
    ///   - firstOffset: the position of the first data row (after the header).
    ///   - positionsCountRows: whether positions are row ordinals (XLSX) rather than bytes.
    public func breaches(firstOffset: Int64, positionsCountRows: Bool) -> [String] {
        var problems: [String] = []
        var expected = firstOffset
        var sums = (read: Int64(0), accepted: Int64(0), rejected: Int64(0), skipped: Int64(0))
        for (index, batch) in batches.enumerated() {
            if batch.sequence != index {
                problems.append("batch \(index) was never committed (the next committed batch is \(batch.sequence))")
                break
            }
            if batch.startOffset != expected {
                problems.append("batch \(batch.sequence) starts at \(batch.startOffset), but the batch before it ended at \(expected)")
            }
            if batch.rowsRead != batch.rowsAccepted + batch.rowsRejected {
                problems.append("batch \(batch.sequence) read \(batch.rowsRead) rows but accepted \(batch.rowsAccepted) and rejected \(batch.rowsRejected)")
            }
            if positionsCountRows, batch.nextOffset - batch.startOffset != batch.rowsRead + batch.rowsSkipped {
                problems.append("batch \(batch.sequence) covers \(batch.nextOffset - batch.startOffset) rows of the sheet but read \(batch.rowsRead) and skipped \(batch.rowsSkipped)")
            }
            expected = batch.nextOffset
            sums.read += batch.rowsRead
            sums.accepted += batch.rowsAccepted
            sums.rejected += batch.rowsRejected
            sums.skipped += batch.rowsSkipped
        }
        if counters.rowsRead != counters.rowsAccepted + counters.rowsRejected {
            problems.append("the run read \(counters.rowsRead) rows but accepted \(counters.rowsAccepted) and rejected \(counters.rowsRejected)")
        }
        if sums != (counters.rowsRead, counters.rowsAccepted, counters.rowsRejected, counters.rowsSkipped) {
            problems.append("the run's counters (read \(counters.rowsRead), accepted \(counters.rowsAccepted), rejected \(counters.rowsRejected), skipped \(counters.rowsSkipped)) differ from its batches' (read \(sums.read), accepted \(sums.accepted), rejected \(sums.rejected), skipped \(sums.skipped))")
        }
        if loadedRows != counters.rowsAccepted {
            problems.append("the target table holds \(loadedRows) rows of the run, but \(counters.rowsAccepted) were accepted")
        }
        let flaggedInBatches = batches.reduce(Int64(0)) { $0 + $1.rowsFlagged }
        if flaggedRows != counters.rowsFlagged || flaggedInBatches != counters.rowsFlagged {
            problems.append("the run counts \(counters.rowsFlagged) flagged rows, its batches \(flaggedInBatches), and the rejections table holds flags for \(flaggedRows)")
        }
        if rejectedRows != counters.rowsRejected {
            problems.append("the rejections table holds \(rejectedRows) rejected rows of the run, but \(counters.rowsRejected) were rejected")
        }
        return problems
    }
}
