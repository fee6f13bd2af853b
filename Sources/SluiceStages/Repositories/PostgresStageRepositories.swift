import Foundation
import Logging
import PostgresNIO
import SluiceCore
import SluicePostgres

/// `StageRepositories` on PostgreSQL. The history lookup keeps `screening` busy for the run
/// (it asks about each batch's candidates), so it is a connection of its own.
public struct PostgresStageRepositories: StageRepositories {
    let connection: PostgresConnection
    let screening: PostgresConnection?
    let logger: Logger

    /// - Parameters:
    ///   - connection: for the dedup reload, once at the start.
    ///   - screening: for the blacklist and the history; `nil` when screening is off.
    public init(connection: PostgresConnection, screening: PostgresConnection?, logger: Logger) {
        self.connection = connection
        self.screening = screening
        self.logger = logger
    }

    private func screeningConnection() throws -> PostgresConnection {
        guard let screening else {
            throw SluiceError(.internalError, "screening needs its own connection, and none was given", stage: "screen")
        }
        return screening
    }

    public func blacklistIndex() async throws -> BlacklistIndex {
        try await BlacklistStore(connection: screeningConnection(), logger: logger).loadIndex()
    }

    public func history(runID: UUID, cooldownDays: Int) async throws -> any HistoryLookup {
        try await AttemptHistory(connection: screeningConnection(), runID: runID, cooldownDays: cooldownDays, logger: logger)
    }

    /// Rebuilds a resumed run's dedup index from the rows it already loaded.
    ///
    /// The index holds exactly the rows that reached the target table (dedup keys only rows
    /// still accepted), so reading back this run's rows below the resume position restores it.
    /// Rows of batches committed past that position are decoded again and skipped at the sink;
    /// they go through dedup again in order, giving the same verdicts as the first time.
    ///
    /// Typed columns are read back in the canonical text the cast stage gives their values in
    /// a batch (`TypeCastStage`), whatever the session's `DateStyle` or `TimeZone`, so that a
    /// reloaded key equals the same key met again.
    public func reloadDedupKeys(into dedup: DedupStage, table: TableName, runID: UUID, before offset: Int64) async throws -> Int {
        var count = 0
        do {
            let types = try await columnTypes(of: table)
            let columns = dedup.keyColumns.map { "coalesce(\(Self.canonicalText(column: $0, type: types[$0])), '')" }.joined(separator: ", ")
            var binds = PostgresBindings()
            binds.append(runID)
            binds.append(offset)
            let query = PostgresQuery(
                unsafeSQL: "SELECT source_line, \(columns) FROM \(table.quoted) WHERE run_id = $1 AND source_offset < $2",
                binds: binds)
            let rows = try await connection.query(query, logger: logger)
            for try await row in rows {
                var cells = row.makeIterator()
                guard let lineCell = cells.next() else { continue }
                let line = try lineCell.decode(Int64.self)
                var values: [[UInt8]] = []
                while let cell = cells.next() {
                    values.append(Array(try cell.decode(String.self).utf8))
                }
                dedup.preload(line: line, values: values)
                count += 1
            }
        } catch {
            throw SluiceError(.database, "cannot reload the dedup keys of the rows already loaded", stage: "dedup", underlying: error)
        }
        return count
    }

    /// The type of each column of `table`, as `pg_attribute` has it (`numeric`, `date`, …).
    private func columnTypes(of table: TableName) async throws -> [String: String] {
        var types: [String: String] = [:]
        let rows = try await connection.query("""
            SELECT attname::text, atttypid::regtype::text FROM pg_attribute
            WHERE attrelid = to_regclass(\(table.quoted)) AND attnum > 0 AND NOT attisdropped
            """, logger: logger)
        for try await (name, type) in rows.decode((String, String).self) { types[name] = type }
        return types
    }

    /// A column as the text of its values in a batch after the cast stage: dates as
    /// `YYYY-MM-DD`, timestamps in UTC as `YYYY-MM-DDTHH:MM:SS.ffffffZ`, the rest as
    /// PostgreSQL prints them (`1234.50`, `true`).
    static func canonicalText(column: String, type: String?) -> String {
        let quoted = TableName.quote(column)
        switch type {
        case "date": return "to_char(\(quoted), 'YYYY-MM-DD')"
        case "timestamp with time zone": return "to_char(\(quoted) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
        case "text", nil: return quoted
        default: return "\(quoted)::text"
        }
    }
}
