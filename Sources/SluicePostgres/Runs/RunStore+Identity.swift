import PostgresNIO
import SluiceCore

extension RunStore {
    /// The runs of `pipeline` on the local file `uri` whose content had this SHA-256, newest
    /// first: the same file whose modification time moved is the same object.
    public func runs(pipeline: String, uri: String, size: Int64, contentSHA256: String) async throws -> [RunRecord] {
        try await database("find runs by content") {
            try await Self.decode(connection.query("""
                SELECT \(unescaped: Self.columns) FROM sluice.runs
                WHERE pipeline = \(pipeline) AND object_uri = \(uri) AND object_size = \(size) AND content_sha256 = \(contentSHA256) AND mode = 'load'
                ORDER BY started_at DESC
                """, logger: logger))
        }
    }

    /// The newest run of this pipeline on this object version with `status`.
    public func latestRun(pipeline: String, object: SourceObject, status: RunStatus) async throws -> RunRecord? {
        try await database("find the object's runs") {
            try await Self.decode(connection.query("""
                SELECT \(unescaped: Self.columns) FROM sluice.runs
                WHERE pipeline = \(pipeline) AND object_uri = \(object.uri) AND etag = \(object.etag) AND status = \(status.rawValue) AND mode = 'load'
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
}
