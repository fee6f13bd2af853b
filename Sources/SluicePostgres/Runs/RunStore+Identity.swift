import PostgresNIO
import SluiceCore

extension RunStore {
    /// The runs of `pipeline` on the local file `uri` whose content had this SHA-256, newest
    /// first: the same file whose modification time moved is the same object.
    public func runs(pipeline: String, uri: String, size: Int64, contentSHA256: String) async throws -> [RunRecord] {
        try await database("find runs by content") {
            try await Self.decode(connection.query("""
                SELECT \(unescaped: Self.columns) FROM sluice.runs
                WHERE pipeline = \(pipeline) AND object_uri = \(uri) AND object_size = \(size) AND content_sha256 = \(contentSHA256)
                ORDER BY started_at DESC
                """, logger: logger))
        }
    }

    /// The newest run of this pipeline on this object version with `status`.
    public func latestRun(pipeline: String, object: SourceObject, status: RunStatus) async throws -> RunRecord? {
        try await database("find the object's runs") {
            try await Self.decode(connection.query("""
                SELECT \(unescaped: Self.columns) FROM sluice.runs
                WHERE pipeline = \(pipeline) AND object_uri = \(object.uri) AND etag = \(object.etag) AND status = \(status.rawValue)
                ORDER BY started_at DESC LIMIT 1
                """, logger: logger)).first
        }
    }

    /// Gives an unfinished run the object's current ETag, after its content was found the
    /// same (a local file whose modification time moved).
    public func adopt(_ run: RunRecord, etag: String) async throws {
        try await database("update the run's ETag") {
            try await connection.query("UPDATE sluice.runs SET etag = \(etag), updated_at = now() WHERE id = \(run.id)", logger: logger)
        }
    }

    /// Who holds the run's advisory lock, in words, or `nil` when nobody does.
    public func lockHolder(of run: RunRecord) async throws -> String? {
        try await database("find who holds the run") {
            let rows = try await connection.query("""
                SELECT a.pid, coalesce(host(a.client_addr) || ':' || a.client_port, 'a local socket'), coalesce(a.state, 'unknown'),
                       coalesce(extract(epoch FROM now() - a.state_change)::bigint, 0)
                FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 7352002
                  AND l.objid::bigint = (hashtext(\(run.idText))::bigint & 4294967295) AND l.objsubid = 2
                LIMIT 1
                """, logger: logger)
            for try await (pid, client, state, seconds) in rows.decode((Int, String, String, Int64).self) {
                return "PostgreSQL backend \(pid), client \(client), \(state) for \(seconds) s"
            }
            return nil
        }
    }
}
