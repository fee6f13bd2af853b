import Foundation
import Logging
import PostgresNIO
import SluiceCore

/// Reads and writes `sluice.runs` and its checkpoints.
public struct RunStore: Sendable {
    let connection: PostgresConnection
    let logger: Logger
    let lossGuard: ConnectionLossGuard

    public init(connection: PostgresConnection, logger: Logger, lossGuard: ConnectionLossGuard? = nil) {
        self.connection = connection
        self.logger = logger
        self.lossGuard = lossGuard ?? ConnectionLossGuard(connection: connection)
    }

    static let columns = """
        id, pipeline, object_uri, etag, object_size, target_table, batch_rows, status,
        rows_read, rows_accepted, rows_rejected, bytes_read, batches, rejected_by_reason::text,
        attempts, error, started_at, updated_at, finished_at, rows_skipped, content_sha256, node,
        rows_flagged, flagged_by_reason::text, mode, plan::text
        """

    /// Starts a new run, or returns the open run that another start created for the same
    /// object version at the same moment.
    ///
    /// A dry run or a test is always a new run: only loads are one per object version.
    public func createRun(
        pipeline: String, object: SourceObject, targetTable: String, batchRows: Int, node: String, contentSHA256: String? = nil,
        id: UUID? = nil, mode: RunMode = .load, plan: String? = nil
    ) async throws -> RunRecord {
        try await database("create run") {
            let rows = try await connection.query("""
                INSERT INTO sluice.runs (id, pipeline, object_uri, etag, object_size, target_table, batch_rows, node, content_sha256, mode, plan)
                VALUES (coalesce(\(id), gen_random_uuid()), \(pipeline), \(object.uri), \(object.etag), \(object.size), \(targetTable), \(batchRows), \(node),
                        \(contentSHA256), \(mode.rawValue), \(plan)::jsonb)
                ON CONFLICT (pipeline, object_uri, etag) WHERE status IN ('created', 'running', 'failed', 'interrupted') AND mode = 'load' DO NOTHING
                RETURNING \(unescaped: Self.columns)
                """, logger: logger)
            if let run = try await Self.decode(rows).first { return run }
            guard let open = try await openRun(pipeline: pipeline, object: object) else {
                throw SluiceError(.database, "run for \(object.uri) vanished while it was being created")
            }
            return open
        }
    }

    public func run(id: UUID) async throws -> RunRecord? {
        try await database("read run") {
            try await Self.decode(connection.query("SELECT \(unescaped: Self.columns) FROM sluice.runs WHERE id = \(id)", logger: logger)).first
        }
    }

    /// The unfinished run (created, running, failed or interrupted) of this pipeline on this object version.
    public func openRun(pipeline: String, object: SourceObject) async throws -> RunRecord? {
        try await database("find open run") {
            try await Self.decode(connection.query("""
                SELECT \(unescaped: Self.columns) FROM sluice.runs
                WHERE pipeline = \(pipeline) AND object_uri = \(object.uri) AND etag = \(object.etag)
                  AND status IN ('created', 'running', 'failed', 'interrupted') AND mode = 'load'
                """, logger: logger)).first
        }
    }

    /// The latest completed run of this pipeline on this object version.
    public func completedRun(pipeline: String, object: SourceObject) async throws -> RunRecord? {
        try await database("find completed run") {
            try await Self.decode(connection.query("""
                SELECT \(unescaped: Self.columns) FROM sluice.runs
                WHERE pipeline = \(pipeline) AND object_uri = \(object.uri) AND etag = \(object.etag) AND status = 'completed' AND mode = 'load'
                ORDER BY finished_at DESC LIMIT 1
                """, logger: logger)).first
        }
    }

    /// Recent runs, newest first.
    public func recentRuns(limit: Int) async throws -> [RunRecord] {
        try await database("list runs") {
            try await Self.decode(connection.query(
                "SELECT \(unescaped: Self.columns) FROM sluice.runs ORDER BY started_at DESC LIMIT \(limit)", logger: logger))
        }
    }

    /// Records how the object's rows are laid out, so reports can split raw records later.
    /// `columnSources` maps canonical column names to their 0-based position in the header.
    public func recordSource(_ run: RunRecord, header: SourceHeader, columnSources: [String: Int]) async throws {
        let map = String(decoding: try JSONEncoder().encode(columnSources), as: UTF8.self)
        try await database("record source layout") {
            try await connection.query("""
                UPDATE sluice.runs SET source_format = \(header.format.rawValue), source_header = \(header.fields),
                    source_delimiter = \(String(decoding: [header.delimiter], as: UTF8.self)), source_sheet = \(header.sheet),
                    column_sources = \(map)::jsonb
                WHERE id = \(run.id)
                """, logger: logger)
        }
    }

    /// The layout `recordSource` stored, or `nil` for a run that never read its header.
    public func sourceLayout(of runID: UUID) async throws -> (header: SourceHeader, columnSources: [String: Int])? {
        try await database("read source layout") {
            let rows = try await connection.query("""
                SELECT source_format, source_header, source_delimiter, source_sheet, coalesce(column_sources::text, '{}') FROM sluice.runs
                WHERE id = \(runID) AND source_header IS NOT NULL
                """, logger: logger)
            for try await (format, fields, delimiter, sheet, map) in rows.decode((String, [String], String, String?, String).self) {
                let header = SourceHeader(
                    format: SourceFormat(rawValue: format) ?? .csv, fields: fields, dataOffset: 0, dataLine: 0,
                    delimiter: delimiter.utf8.first ?? UInt8(ascii: ","), sheet: sheet)
                let sources = (try? JSONDecoder().decode([String: Int].self, from: Data(map.utf8))) ?? [:]
                return (header, sources)
            }
            return nil
        }
    }

    public func checkpoints(of run: RunRecord) async throws -> [Checkpoint] {
        try await database("read checkpoints") {
            var result: [Checkpoint] = []
            let rows = try await connection.query("""
                SELECT batch_seq, start_offset, next_offset, next_line FROM sluice.run_checkpoints
                WHERE run_id = \(run.id) ORDER BY batch_seq
                """, logger: logger)
            for try await (sequence, start, next, line) in rows.decode((Int, Int64, Int64, Int64).self) {
                result.append(Checkpoint(batchSequence: sequence, startOffset: start, nextOffset: next, nextLine: line))
            }
            return result
        }
    }

    @discardableResult
    func database<T: Sendable>(_ action: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        do {
            return try await lossGuard.run(body)
        } catch let error as SluiceError {
            throw error
        } catch {
            throw SluiceError(.database, "cannot \(action)", underlying: error)
        }
    }

    static func decode(_ rows: PostgresRowSequence) async throws -> [RunRecord] {
        var result: [RunRecord] = []
        for try await row in rows {
            let random = row.makeRandomAccess()
            var counters = RunCounters()
            counters.rowsRead = try random[8].decode(Int64.self)
            counters.rowsAccepted = try random[9].decode(Int64.self)
            counters.rowsRejected = try random[10].decode(Int64.self)
            counters.bytesRead = try random[11].decode(Int64.self)
            counters.batches = try random[12].decode(Int64.self)
            counters.rowsSkipped = try random[19].decode(Int64.self)
            counters.rowsFlagged = try random[22].decode(Int64.self)
            counters.flaggedByReason = (try? JSONDecoder().decode([String: Int64].self, from: Data(try random[23].decode(String.self).utf8))) ?? [:]
            let reasons = try random[13].decode(String.self)
            counters.rejectedByReason = (try? JSONDecoder().decode([String: Int64].self, from: Data(reasons.utf8))) ?? [:]
            result.append(RunRecord(
                id: try random[0].decode(UUID.self),
                pipeline: try random[1].decode(String.self),
                objectURI: try random[2].decode(String.self),
                etag: try random[3].decode(String.self),
                objectSize: try random[4].decode(Int64.self),
                targetTable: try random[5].decode(String.self),
                batchRows: try random[6].decode(Int.self),
                status: RunStatus(rawValue: try random[7].decode(String.self)) ?? .failed,
                counters: counters,
                attempts: try random[14].decode(Int.self),
                error: try random[15].decode(String?.self),
                startedAt: try random[16].decode(Date.self),
                updatedAt: try random[17].decode(Date.self),
                finishedAt: try random[18].decode(Date?.self),
                contentSHA256: try random[20].decode(String?.self),
                node: try random[21].decode(String?.self),
                mode: RunMode(rawValue: try random[24].decode(String.self)) ?? .load,
                plan: try random[25].decode(String?.self)
            ))
        }
        return result
    }
}
