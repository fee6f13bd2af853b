import Foundation
import Logging
import PostgresNIO
import SluiceCore

/// `sluice.objects`: every object version (bucket, key, ETag) that a watched bucket, an event
/// or an operator handed to a pipeline, so that each version starts one run however it arrives
/// (a MinIO event, a polling scan, the API) and however many nodes see it at once.
///
/// Recording is one `INSERT … ON CONFLICT DO NOTHING`: the unique key decides, so two nodes
/// that record the same version at the same moment get one row, and exactly one of them is
/// told the version is new. A changed object has a new ETag and so is a new version.
public struct ObjectLedger: Sendable {
    /// How an object version reached Sluice.
    public enum Arrival: String, Sendable, Hashable, CaseIterable {
        case event, poll, api
    }

    /// One recorded object version.
    public struct Entry: Sendable, Hashable {
        public var bucket: String
        public var key: String
        public var etag: String
        public var size: Int64
        public var pipeline: String
        public var arrival: Arrival
        public var firstSeenAt: Date
    }

    let connection: PostgresConnection
    let logger: Logger

    public init(connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    /// Records a version; `true` when it was new (the caller starts its run), `false` when
    /// it was recorded before, by any node and by any way of arrival.
    public func record(bucket: String, key: String, etag: String, size: Int64, pipeline: String, arrival: Arrival) async throws -> Bool {
        do {
            var inserted = false
            let rows = try await connection.query("""
                INSERT INTO sluice.objects (bucket, key, etag, size, pipeline, arrival)
                VALUES (\(bucket), \(key), \(etag), \(size), \(pipeline), \(arrival.rawValue))
                ON CONFLICT (bucket, key, etag) DO NOTHING
                RETURNING 1
                """, logger: logger)
            for try await _ in rows { inserted = true }
            return inserted
        } catch {
            throw SluiceError(.database, "cannot record object s3://\(bucket)/\(key)", object: "s3://\(bucket)/\(key)", underlying: error)
        }
    }

    /// The recorded versions of one key, oldest first.
    public func versions(bucket: String, key: String) async throws -> [Entry] {
        do {
            var entries: [Entry] = []
            let rows = try await connection.query("""
                SELECT bucket, key, etag, size, pipeline, arrival, first_seen_at FROM sluice.objects
                WHERE bucket = \(bucket) AND key = \(key) ORDER BY first_seen_at, etag
                """, logger: logger)
            for try await (bucket, key, etag, size, pipeline, arrival, seen) in rows.decode((String, String, String, Int64, String, String, Date).self) {
                entries.append(Entry(
                    bucket: bucket, key: key, etag: etag, size: size, pipeline: pipeline, arrival: Arrival(rawValue: arrival) ?? .api, firstSeenAt: seen))
            }
            return entries
        } catch {
            throw SluiceError(.database, "cannot read recorded versions of s3://\(bucket)/\(key)", underlying: error)
        }
    }

    /// Which of these versions of objects in `bucket` are not recorded yet, in their order:
    /// one query for a whole scan page, by the primary key.
    public func unrecorded(bucket: String, versions: [(key: String, etag: String)]) async throws -> [(key: String, etag: String)] {
        guard !versions.isEmpty else { return [] }
        do {
            let keys = versions.map(\.key)
            let etags = versions.map(\.etag)
            var missing = Set<String>()
            let rows = try await connection.query("""
                SELECT v.k, v.e FROM unnest(\(keys)::text[], \(etags)::text[]) AS v(k, e)
                WHERE NOT EXISTS (SELECT 1 FROM sluice.objects o WHERE o.bucket = \(bucket) AND o.key = v.k AND o.etag = v.e)
                """, logger: logger)
            for try await (key, etag) in rows.decode((String, String).self) { missing.insert(key + "\u{0}" + etag) }
            return versions.filter { missing.contains($0.key + "\u{0}" + $0.etag) }
        } catch {
            throw SluiceError(.database, "cannot look up recorded objects of bucket \(bucket)", underlying: error)
        }
    }
}
