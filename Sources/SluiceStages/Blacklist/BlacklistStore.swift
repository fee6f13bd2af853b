import Foundation
import Logging
import PostgresNIO
import SluiceCore
import SluiceFormats

/// Reads and changes `sluice.blacklist`. The CLI uses it today and the HTTP API will.
///
/// Every value is normalised by `BlacklistKind.normalize` before it is stored or looked up,
/// so `de89 3704 0044 0532 0130 00` and `DE89370400440532013000` are one entry.
public struct BlacklistStore: Sendable {
    let connection: PostgresConnection
    let logger: Logger

    public init(connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    /// Adds an entry, or updates the reason and source of the one already there.
    @discardableResult
    public func add(kind: BlacklistKind, value: String, reason: String, source: String) async throws -> BlacklistEntry {
        let (key, display) = try kind.normalize(value)
        return try await database("add blacklist entry") {
            let rows = try await connection.query("""
                INSERT INTO sluice.blacklist (kind, value_key, display, reason, source)
                VALUES (\(kind.rawValue), \(key), \(display), \(reason), \(source))
                ON CONFLICT (kind, value_key) DO UPDATE SET reason = EXCLUDED.reason, source = EXCLUDED.source
                RETURNING \(unescaped: Self.columns)
                """, logger: logger)
            guard let entry = try await Self.decode(rows).first else {
                throw SluiceError(.database, "the blacklist entry was not stored")
            }
            return entry
        }
    }

    /// Removes an entry; returns whether there was one.
    @discardableResult
    public func remove(kind: BlacklistKind, value: String) async throws -> Bool {
        let (key, _) = try kind.normalize(value)
        return try await database("remove blacklist entry") {
            let rows = try await connection.query(
                "DELETE FROM sluice.blacklist WHERE kind = \(kind.rawValue) AND value_key = \(key) RETURNING id", logger: logger)
            var removed = false
            for try await _ in rows.decode(Int64.self) { removed = true }
            return removed
        }
    }

    /// Entries, newest first, optionally of one kind.
    public func list(kind: BlacklistKind? = nil, limit: Int = 100, offset: Int = 0) async throws -> [BlacklistEntry] {
        try await database("list blacklist") {
            try await Self.decode(connection.query("""
                SELECT \(unescaped: Self.columns) FROM sluice.blacklist
                WHERE \(kind?.rawValue)::text IS NULL OR kind = \(kind?.rawValue)
                ORDER BY created_at DESC, id DESC LIMIT \(limit) OFFSET \(offset)
                """, logger: logger))
        }
    }

    /// One page of entries, newest first: those with an id below `beforeID` (the last id of
    /// the page before), for keyset pagination.
    public func page(kind: BlacklistKind? = nil, limit: Int, beforeID: Int64? = nil) async throws -> [BlacklistEntry] {
        try await database("list blacklist") {
            try await Self.decode(connection.query("""
                SELECT \(unescaped: Self.columns) FROM sluice.blacklist
                WHERE (\(kind?.rawValue)::text IS NULL OR kind = \(kind?.rawValue)) AND (\(beforeID)::bigint IS NULL OR id < \(beforeID))
                ORDER BY id DESC LIMIT \(limit)
                """, logger: logger))
        }
    }

    /// Removes the entry with this id; returns it, or `nil` when there was none.
    public func remove(id: Int64) async throws -> BlacklistEntry? {
        try await database("remove blacklist entry") {
            try await Self.decode(connection.query(
                "DELETE FROM sluice.blacklist WHERE id = \(id) RETURNING \(unescaped: Self.columns)", logger: logger)).first
        }
    }

    /// Entries per kind.
    public func counts() async throws -> [BlacklistKind: Int] {
        try await database("count blacklist") {
            var result: [BlacklistKind: Int] = [:]
            let rows = try await connection.query("SELECT kind, count(*)::bigint FROM sluice.blacklist GROUP BY kind", logger: logger)
            for try await (kind, count) in rows.decode((String, Int64).self) {
                if let kind = BlacklistKind(rawValue: kind) { result[kind] = Int(count) }
            }
            return result
        }
    }

    /// The whole blacklist as an index for screening.
    public func loadIndex() async throws -> BlacklistIndex {
        try await database("load blacklist") {
            var index = BlacklistIndex()
            let rows = try await connection.query("SELECT kind, value_key FROM sluice.blacklist", logger: logger)
            for try await (kind, key) in rows.decode((String, String).self) {
                if let kind = BlacklistKind(rawValue: kind) { index.add(kind: kind, key: key) }
            }
            return index
        }
    }

    /// Stores prepared entries in one statement; existing entries get the new reason and source.
    func upsert(_ entries: [(kind: BlacklistKind, key: String, display: String, reason: String, source: String)]) async throws -> Int {
        guard !entries.isEmpty else { return 0 }
        return try await database("import blacklist entries") {
            let rows = try await connection.query("""
                INSERT INTO sluice.blacklist (kind, value_key, display, reason, source)
                SELECT * FROM unnest(\(entries.map(\.kind.rawValue))::text[], \(entries.map(\.key))::text[],
                    \(entries.map(\.display))::text[], \(entries.map(\.reason))::text[], \(entries.map(\.source))::text[])
                ON CONFLICT (kind, value_key) DO UPDATE SET reason = EXCLUDED.reason, source = EXCLUDED.source
                RETURNING (xmax = 0)
                """, logger: logger)
            var inserted = 0
            for try await isNew in rows.decode(Bool.self) where isNew { inserted += 1 }
            return inserted
        }
    }

    /// Every entry in export order (kind, then age), streamed.
    func forEachEntry(kind: BlacklistKind?, _ body: (BlacklistEntry) async throws -> Void) async throws {
        try await database("export blacklist") {
            let rows = try await connection.query("""
                SELECT \(unescaped: Self.columns) FROM sluice.blacklist
                WHERE \(kind?.rawValue)::text IS NULL OR kind = \(kind?.rawValue)
                ORDER BY kind, id
                """, logger: logger)
            for try await row in rows.decode((Int64, String, String, String, String, String, Date).self) {
                guard let entry = Self.entry(row) else { continue }
                try await body(entry)
            }
        }
    }

    private static let columns = "id, kind, value_key, display, reason, source, created_at"

    private static func decode(_ rows: PostgresRowSequence) async throws -> [BlacklistEntry] {
        var result: [BlacklistEntry] = []
        for try await row in rows.decode((Int64, String, String, String, String, String, Date).self) {
            if let entry = entry(row) { result.append(entry) }
        }
        return result
    }

    private static func entry(_ row: (Int64, String, String, String, String, String, Date)) -> BlacklistEntry? {
        guard let kind = BlacklistKind(rawValue: row.1) else { return nil }
        return BlacklistEntry(id: row.0, kind: kind, key: row.2, display: row.3, reason: row.4, source: row.5, createdAt: row.6)
    }

    private func database<T>(_ action: String, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as SluiceError {
            throw error
        } catch {
            throw SluiceError(.database, "cannot \(action)", stage: "blacklist", underlying: error)
        }
    }
}
