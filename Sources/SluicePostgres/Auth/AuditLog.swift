import Foundation
import Logging
import PostgresNIO
import SluiceCore

/// `sluice.audit`: who started, cancelled, resumed or uploaded, or changed the blacklist, and
/// when. Entries are only ever added; listings are newest first, paged by id.
public struct AuditLog: Sendable {
    /// One audited action.
    public struct Entry: Sendable, Hashable, Codable {
        public var id: Int64
        public var at: Date
        /// The token's name, or what else acted (`anonymous` on an open route).
        public var actor: String
        /// The actor's role, when it had one.
        public var role: String?
        /// What was done, e.g. `run.start`, `run.cancel`, `upload`, `blacklist.add`.
        public var action: String
        /// What it was done to: a job or run id, an object, a blacklist entry.
        public var subject: String
        /// More about it, never row data.
        public var detail: [String: String]
        public var requestID: String?
        /// The `sluice serve` process that did it (`host/pid`).
        public var node: String?

        enum CodingKeys: String, CodingKey {
            case id, at, actor, role, action, subject, detail, requestID = "request_id", node
        }
    }

    /// Where a listing continues: after the entry with this id (entries are listed newest first).
    public struct Cursor: Sendable, Hashable {
        public var id: Int64

        public init(id: Int64) {
            self.id = id
        }

        /// Opaque text for a `cursor` query parameter.
        public var token: String {
            Data("a\(id)".utf8).base64EncodedString()
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        }

        /// Reads `token`; `nil` for anything that is not one.
        public init?(token: String) {
            var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
            base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
            guard let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8), text.hasPrefix("a"),
                  let id = Int64(text.dropFirst()), id > 0 else { return nil }
            self.init(id: id)
        }
    }

    let connection: PostgresConnection
    let logger: Logger

    public init(connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    /// Adds one entry and returns its id.
    @discardableResult
    public func record(
        actor: String, role: String?, action: String, subject: String, detail: [String: String] = [:], requestID: String? = nil, node: String? = nil
    ) async throws -> Int64 {
        let detailJSON: String
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            detailJSON = String(decoding: try encoder.encode(detail), as: UTF8.self)
        } catch {
            throw SluiceError(.internalError, "cannot encode the audit detail", underlying: error)
        }
        do {
            let rows = try await connection.query("""
                INSERT INTO sluice.audit (actor, role, action, subject, detail, request_id, node)
                VALUES (\(actor), \(role), \(action), \(subject), \(detailJSON)::jsonb, \(requestID), \(node))
                RETURNING id
                """, logger: logger)
            for try await id in rows.decode(Int64.self) { return id }
            throw SluiceError(.database, "recording the audit entry returned no row")
        } catch let error as SluiceError {
            throw error
        } catch {
            throw SluiceError(.database, "cannot record the audit entry for \(action)", underlying: error)
        }
    }

    /// One page of entries, newest first, optionally of one action.
    ///
    /// - Returns: the entries, and the cursor of the next page when there may be one.
    public func entries(action: String? = nil, after cursor: Cursor? = nil, limit: Int = 50) async throws -> (entries: [Entry], next: Cursor?) {
        let limit = max(1, min(limit, 500))
        do {
            var entries: [Entry] = []
            let rows = try await connection.query("""
                SELECT id, at, actor, role, action, subject, detail::text, request_id, node FROM sluice.audit
                WHERE (\(action)::text IS NULL OR action = \(action))
                  AND (\(cursor?.id)::bigint IS NULL OR id < \(cursor?.id))
                ORDER BY id DESC
                LIMIT \(limit + 1)
                """, logger: logger)
            for try await (id, at, actor, role, action, subject, detail, requestID, node) in rows.decode(
                (Int64, Date, String, String?, String, String, String, String?, String?).self)
            {
                entries.append(Entry(
                    id: id, at: at, actor: actor, role: role, action: action, subject: subject, detail: Self.detail(detail),
                    requestID: requestID, node: node))
            }
            let page = Array(entries.prefix(limit))
            let next = entries.count > limit ? page.last.map { Cursor(id: $0.id) } : nil
            return (page, next)
        } catch {
            throw SluiceError(.database, "cannot list the audit log", underlying: error)
        }
    }

    /// The stored detail as text values (a value written as a number or object by hand reads as its JSON).
    static func detail(_ json: String) -> [String: String] {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any] else { return [:] }
        return object.mapValues { value in
            if let text = value as? String { return text }
            if let data = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys]) {
                return String(decoding: data, as: UTF8.self)
            }
            return "\(value)"
        }
    }
}
