import Foundation
import Logging
import NIOCore
import PostgresNIO
import SluiceCore

/// Commits batches into PostgreSQL exactly once.
///
/// One transaction per batch holds the COPY of its accepted rows, the COPY of its
/// rejections and flags, its stage effects (COPied, or upserted for payee-verification
/// answers), its checkpoint row and the run's
/// counters. Either all of it is there after
/// a crash or none of it is, and the checkpoint's primary key refuses a batch committed
/// twice. The counter update names the run's lease token, so a process that lost its lease
/// rolls its batch back instead of committing it.
public struct BatchSink: RecordSink {
    let connection: PostgresConnection
    public let table: TableName
    public let encoder: CopyEncoder
    let runID: UUID
    /// The lease every commit names: a batch commits only while this process holds the run.
    let lease: RunLease
    let logger: Logger
    let lossGuard: ConnectionLossGuard
    /// `false` for a dry run: accepted rows are counted but not COPied, and the target table is
    /// not touched (it need not exist). Rejections, checkpoints, counters and the run's own
    /// stage records (payee-verification checks and paid answers) are still written.
    public let writesTarget: Bool
    /// `false` for a pipeline test: answers from a simulated provider must not reach the shared
    /// payee-verification cache that real runs read.
    public let storesPaidAnswers: Bool

    public init(
        connection: PostgresConnection, table: TableName, encoder: CopyEncoder, lease: RunLease, logger: Logger,
        lossGuard: ConnectionLossGuard? = nil, writesTarget: Bool = true, storesPaidAnswers: Bool = true
    ) {
        self.writesTarget = writesTarget
        self.storesPaidAnswers = storesPaidAnswers
        self.connection = connection
        self.lossGuard = lossGuard ?? ConnectionLossGuard(connection: connection)
        self.table = table
        self.encoder = encoder
        self.runID = lease.runID
        self.lease = lease
        self.logger = logger
    }

    /// A batch ready for the sink: its lineage and counts plus the encoded COPY data.
    public struct EncodedBatch: PreparedBatch {
        public var sequence: Int
        public var startOffset: Int64
        public var nextOffset: Int64
        public var nextLine: Int64
        public var counters: RunCounters
        public var accepted: ByteBuffer
        public var rejected: ByteBuffer
        /// Stage effects: the table, its columns and the COPY text of their rows.
        public var effects: [(table: TableName, columns: [String], rows: ByteBuffer)]
        /// Paid payee-verification answers, written with an upsert rather than COPied (see `VOPCacheEffect`).
        public var cacheAnswers: [VOPCacheEffect] = []

        public init(batch: RecordBatch, encoder: CopyEncoder) throws {
            sequence = batch.sequence
            startOffset = batch.startOffset
            nextOffset = batch.nextOffset
            nextLine = batch.nextLine
            counters = RunCounters(batch: batch)
            accepted = try encoder.encodeAccepted(batch)
            rejected = encoder.encodeRejected(batch)
            effects = []
        }

        /// Encodes the batch's stage effects; a table name that is not `schema.table`, or a
        /// malformed payee-verification effect, fails the batch.
        mutating func encodeEffects(of batch: RecordBatch) throws {
            effects = []
            cacheAnswers = []
            for effect in batch.effects {
                if let answers = try VOPCacheEffect(effect) {
                    cacheAnswers.append(answers)
                } else {
                    let table: TableName
                    do {
                        table = try TableName(effect.table)
                    } catch {
                        throw SluiceError(.internalError, "a stage effect names a table that is not schema.table", stage: "sink", underlying: error)
                    }
                    effects.append((table, effect.columns, CopyEncoder.encode(effect)))
                }
            }
        }
    }

    public func prepare(_ batch: RecordBatch) throws -> EncodedBatch {
        var prepared = try EncodedBatch(batch: batch, encoder: encoder)
        try prepared.encodeEffects(of: batch)
        return prepared
    }

    public func commit(_ batch: EncodedBatch) async throws {
        try await lossGuard.run { try await self.transact(batch) }
    }

    private func transact(_ batch: EncodedBatch) async throws {
        let reasons = String(decoding: try JSONEncoder().encode(batch.counters.rejectedByReason), as: UTF8.self)
        let flagged = String(decoding: try JSONEncoder().encode(batch.counters.flaggedByReason), as: UTF8.self)
        let counters = batch.counters
        do {
            try await connection.withTransaction(logger: logger) { connection in
                // A cheap look first, so a process that lost its lease says so instead of
                // colliding with the new holder's checkpoint; the UPDATE at the end decides.
                // The same round trip reads PostgreSQL's count of rows this transaction inserted
                // into the target so far, to check the COPY below against.
                let relation = table.quoted
                var insertedBefore: Int64?
                if writesTarget {
                    for try await count in try await connection.query("""
                        SELECT coalesce((SELECT sum(pg_stat_get_xact_tuples_inserted(relid)) FROM pg_partition_tree(\(relation)::regclass)),
                                        pg_stat_get_xact_tuples_inserted(\(relation)::regclass))::bigint
                        FROM sluice.runs WHERE id = \(runID) AND lease_token = \(lease.token)
                        """, logger: logger).decode(Int64.self) { insertedBefore = count }
                } else {
                    for try await _ in try await connection.query(
                        "SELECT 1 FROM sluice.runs WHERE id = \(runID) AND lease_token = \(lease.token)", logger: logger) { insertedBefore = 0 }
                }
                guard let before = insertedBefore else { throw RunLease.lost(runID, doing: "commit batch \(batch.sequence)") }
                if writesTarget && batch.accepted.readableBytes > 0 {
                    try await connection.copyBinaryFrom(table: table, columns: encoder.targetColumns, logger: logger) { writer in
                        try await writer.write(batch.accepted)
                    }
                    // PostgreSQL's own count of the rows this COPY stored must be the batch's
                    // accepted rows; otherwise the batch rolls back instead of committing a
                    // checkpoint that does not match the table.
                    let stored = try await insertedRows(on: connection) - before
                    guard stored == counters.rowsAccepted else {
                        throw SluiceError(
                            .invariantBroken,
                            "batch \(batch.sequence): PostgreSQL stored \(stored) rows in \(table), the batch has \(counters.rowsAccepted) accepted rows",
                            stage: "sink")
                    }
                }
                if batch.rejected.readableBytes > 0 {
                    try await connection.copyFrom(table: "sluice\".\"rejections", columns: CopyEncoder.rejectionColumns, logger: logger) { writer in
                        try await writer.write(batch.rejected)
                    }
                }
                for effect in batch.effects where effect.rows.readableBytes > 0 {
                    try await connection.copyFrom(table: effect.table.copyTarget, columns: effect.columns, logger: logger) { writer in
                        try await writer.write(effect.rows)
                    }
                }
                for answers in batch.cacheAnswers where storesPaidAnswers {
                    try await answers.apply(on: connection, logger: logger)
                }
                try await connection.query("""
                    INSERT INTO sluice.run_checkpoints
                        (run_id, batch_seq, start_offset, next_offset, next_line, rows_read, rows_accepted, rows_rejected, rows_skipped, rows_flagged)
                    VALUES (\(runID), \(batch.sequence), \(batch.startOffset), \(batch.nextOffset), \(batch.nextLine),
                            \(Int(counters.rowsRead)), \(Int(counters.rowsAccepted)), \(Int(counters.rowsRejected)),
                            \(Int(counters.rowsSkipped)), \(Int(counters.rowsFlagged)))
                    """, logger: logger)
                // Fencing: the counters move only while this process's token is the run's.
                let fenced = try await connection.query("""
                    UPDATE sluice.runs SET
                        rows_read = rows_read + \(counters.rowsRead),
                        rows_accepted = rows_accepted + \(counters.rowsAccepted),
                        rows_rejected = rows_rejected + \(counters.rowsRejected),
                        rows_skipped = rows_skipped + \(counters.rowsSkipped),
                        rows_flagged = rows_flagged + \(counters.rowsFlagged),
                        flagged_by_reason = sluice.merge_counts(flagged_by_reason, \(flagged)::jsonb),
                        bytes_read = bytes_read + \(counters.bytesRead),
                        batches = batches + 1,
                        rejected_by_reason = sluice.merge_counts(rejected_by_reason, \(reasons)::jsonb),
                        updated_at = now()
                    WHERE id = \(runID) AND lease_token = \(lease.token)
                    RETURNING id
                    """, logger: logger)
                var held = false
                for try await _ in fenced { held = true }
                guard held else { throw RunLease.lost(runID, doing: "commit batch \(batch.sequence)") }
            }
        } catch let error as PostgresTransactionError
                    where (error.closureError as? SluiceError).map({ $0.code == .leaseLost || $0.code == .invariantBroken }) ?? false {
            throw error.closureError!
        } catch {
            throw SluiceError(.database, "cannot commit batch \(batch.sequence) into \(table)", stage: "sink", underlying: Self.unwrap(error))
        }
    }

    static func unwrap(_ error: any Error) -> any Error {
        if let transaction = error as? PostgresTransactionError {
            return transaction.closureError ?? transaction.commitError ?? transaction.beginError ?? error
        }
        return error
    }

    /// Rows inserted into the target table by this transaction so far, as PostgreSQL counts
    /// them (over the partitions of a partitioned table). The pending statistics also hold
    /// inserts of earlier transactions not flushed yet, so only a difference taken within one
    /// transaction is exact.
    private func insertedRows(on connection: PostgresConnection) async throws -> Int64 {
        let relation = table.quoted
        var count: Int64 = 0
        for try await value in try await connection.query("""
            SELECT coalesce((SELECT sum(pg_stat_get_xact_tuples_inserted(relid)) FROM pg_partition_tree(\(relation)::regclass)),
                            pg_stat_get_xact_tuples_inserted(\(relation)::regclass))::bigint
            """, logger: logger).decode(Int64.self) { count = value }
        return count
    }
}
