import PostgresNIO
import SluiceCore

extension RunStore {
    /// What PostgreSQL holds of a run, for `RunInvariant`: its checkpoints, counters, and the
    /// rows it put in the target and rejections tables.
    ///
    /// Every batch transaction already checked PostgreSQL's count of the rows its COPY stored
    /// against the batch's accepted rows (`BatchSink`), so by default the loaded rows are
    /// their checkpoints' sum. With `countTargetRows`, for a run that took more than one
    /// attempt, the rows are counted in the target table instead, which also finds rows that
    /// went missing between attempts; that reads the whole table (it has no index on
    /// `run_id`), so it is kept to resumed runs.
    public func invariantFacts(of run: RunRecord, table: TableName, countTargetRows: Bool) async throws -> RunInvariant {
        let (batches, counters, loaded, rejected, flagged) = try await database("check the run's rows") {
            var batches: [RunInvariant.Batch] = []
            let rows = try await connection.query("""
                SELECT batch_seq, start_offset, next_offset, rows_read, rows_accepted, rows_rejected, rows_skipped, rows_flagged
                FROM sluice.run_checkpoints WHERE run_id = \(run.id) ORDER BY batch_seq
                """, logger: logger)
            for try await (sequence, start, next, read, accepted, rejected, skipped, flagged)
                in rows.decode((Int, Int64, Int64, Int64, Int64, Int64, Int64, Int64).self) {
                var batch = RunInvariant.Batch(
                    sequence: sequence, startOffset: start, nextOffset: next,
                    rowsRead: read, rowsAccepted: accepted, rowsRejected: rejected, rowsSkipped: skipped)
                batch.rowsFlagged = flagged
                batches.append(batch)
            }
            let counters = try await Self.decode(connection.query(
                "SELECT \(unescaped: Self.columns) FROM sluice.runs WHERE id = \(run.id)", logger: logger)).first?.counters ?? RunCounters()
            var loaded: Int64 = batches.reduce(0) { $0 + $1.rowsAccepted }
            if countTargetRows {
                var binds = PostgresBindings()
                binds.append(run.id)
                let count = try await connection.query(
                    PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(table.quoted) WHERE run_id = $1", binds: binds), logger: logger)
                for try await value in count.decode(Int64.self) { loaded = value }
            }
            var rejected: Int64 = 0
            var flagged: Int64 = 0
            let distinct = try await connection.query("""
                SELECT count(DISTINCT byte_offset) FILTER (WHERE outcome = 'rejected'),
                       count(DISTINCT byte_offset) FILTER (WHERE outcome = 'flagged')
                FROM sluice.rejections WHERE run_id = \(run.id)
                """, logger: logger)
            for try await (rejectedRows, flaggedRows) in distinct.decode((Int64, Int64).self) {
                rejected = rejectedRows
                flagged = flaggedRows
            }
            return (batches, counters, loaded, rejected, flagged)
        }
        return RunInvariant(batches: batches, counters: counters, loadedRows: loaded, rejectedRows: rejected, flaggedRows: flagged)
    }
}
