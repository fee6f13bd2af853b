import Foundation
import HTTPTypes
import Hummingbird
import SluiceCore
import SluicePostgres
import SluiceStages

/// The blacklist over HTTP: viewers list it (IBANs masked), admins change, import and export it.
extension ServerRoutes {
    /// The largest `POST /v1/blacklist` body, and the largest import.
    static let maxBlacklistEntryBytes = 16 << 10
    static let maxBlacklistImportBytes: Int64 = 256 << 20

    func addBlacklistRoutes(viewer: RouterGroup<SluiceRequestContext>, admins: RouterGroup<SluiceRequestContext>) {
        viewer.get("/v1/blacklist") { request, _ in try await self.listBlacklist(request) }
        admins.post("/v1/blacklist") { request, context in try await self.addBlacklistEntry(request, context: context) }
        admins.delete("/v1/blacklist/:id") { _, context in try await self.removeBlacklistEntry(context.parameters.require("id"), context: context) }
        admins.post("/v1/blacklist/import") { request, context in try await self.importBlacklist(request, context: context) }
        admins.get("/v1/blacklist/export") { request, _ in try await self.exportBlacklist(request) }
    }

    /// An entry as the API shows it: never an IBAN in clear, nor its hash.
    struct BlacklistEntryResource: Encodable, ResponseEncodable {
        var entry: BlacklistEntry

        enum CodingKeys: String, CodingKey {
            case id, kind, display, reason, source, createdAt = "created_at"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(entry.id, forKey: .id)
            try container.encode(entry.kind.rawValue, forKey: .kind)
            try container.encode(entry.display, forKey: .display)
            try container.encode(entry.reason, forKey: .reason)
            try container.encode(entry.source, forKey: .source)
            try container.encode(entry.createdAt, forKey: .createdAt)
        }
    }

    struct BlacklistPage: ResponseEncodable {
        var items: [BlacklistEntryResource]
        var nextCursor: String?

        enum CodingKeys: String, CodingKey {
            case items, nextCursor = "next_cursor"
        }
    }

    static func blacklistKind(_ text: Substring?) throws -> BlacklistKind? {
        guard let text else { return nil }
        guard let kind = BlacklistKind(rawValue: String(text)) else {
            throw ProblemDetails.invalidRequest("kind must be one of \(BlacklistKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return kind
    }

    /// `GET /v1/blacklist?kind=&limit=&cursor=`: newest first; the cursor is the last id seen.
    func listBlacklist(_ request: Request) async throws -> BlacklistPage {
        let query = request.uri.queryParameters
        let kind = try Self.blacklistKind(query["kind"])
        let page = try PageQuery(query) { text in Int64(text).flatMap { $0 > 0 ? $0 : nil } }
        let entries = try await database.withConnection { connection in
            try await BlacklistStore(connection: connection, logger: logger).page(kind: kind, limit: page.limit + 1, beforeID: page.cursor)
        }
        let shown = entries.prefix(page.limit)
        return BlacklistPage(
            items: shown.map { BlacklistEntryResource(entry: $0) }, nextCursor: entries.count > page.limit ? shown.last.map { String($0.id) } : nil)
    }

    struct NewBlacklistEntry: Decodable {
        var kind: String
        var value: String
        var reason: String?
        var source: String?
    }

    /// `POST /v1/blacklist` `{"kind", "value", "reason", "source"}`: adds the entry, or updates
    /// the reason and source of the one there; 201 either way, with the entry.
    func addBlacklistEntry(_ request: Request, context: SluiceRequestContext) async throws -> Response {
        let new: NewBlacklistEntry = try await Self.decodeJSON(request, upTo: Self.maxBlacklistEntryBytes, shape: #"{"kind": "iban", "value": "…", "reason": "…"}"#)
        guard let kind = try Self.blacklistKind(Substring(new.kind)) else { throw ProblemDetails.invalidRequest("kind is required") }
        let entry = try await database.withConnection { connection in
            try await BlacklistStore(connection: connection, logger: logger)
                .add(kind: kind, value: new.value, reason: new.reason ?? "", source: new.source ?? "api")
        }
        try await audit("blacklist.add", subject: "\(entry.kind.rawValue) \(entry.display)", detail: ["id": "\(entry.id)", "reason": entry.reason],
                        context: context)
        var response = try BlacklistEntryResource(entry: entry).response(from: request, context: context)
        response.status = .created
        response.headers[.location] = "/v1/blacklist/\(entry.id)"
        return response
    }

    /// `DELETE /v1/blacklist/{id}`: 204, or 404 when there is no such entry.
    func removeBlacklistEntry(_ text: String, context: SluiceRequestContext) async throws -> Response {
        guard let id = Int64(text), id > 0 else { throw ProblemDetails.invalidRequest("'\(text)' is not a blacklist entry id") }
        let removed = try await database.withConnection { connection in
            try await BlacklistStore(connection: connection, logger: logger).remove(id: id)
        }
        guard let removed else {
            throw ProblemDetails(status: .notFound, code: "entry_not_found", title: "No such entry", detail: "no blacklist entry \(id)")
        }
        try await audit("blacklist.remove", subject: "\(removed.kind.rawValue) \(removed.display)", detail: ["id": "\(id)"], context: context)
        return Response(status: .noContent)
    }

    struct ImportAnswer: ResponseEncodable {
        var rows: Int
        var inserted: Int
        var updated: Int
        var skipped: Int
        /// The first problems, with their line and column.
        var problems: [String]
    }

    /// `POST /v1/blacklist/import` with a `text/csv` body (columns kind,value[,reason,source]):
    /// the body is spooled to a temporary file, then read like `sluice blacklist import`.
    func importBlacklist(_ request: Request, context: SluiceRequestContext) async throws -> ImportAnswer {
        let mediaType = (request.headers[.contentType] ?? "").split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard mediaType == "text/csv" else {
            throw ProblemDetails(status: .unsupportedMediaType, code: "unsupported_media_type", title: "Unsupported media type",
                                 detail: "send the CSV file itself as text/csv, found '\(mediaType ?? "")'")
        }
        let path = try await RequestSpool.spool(request.body, upTo: Self.maxBlacklistImportBytes)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result: BlacklistTransfer.ImportResult
        do {
            result = try await database.withConnection { connection in
                try await BlacklistTransfer(store: BlacklistStore(connection: connection, logger: logger))
                    .importCSV(from: LocalFileSource(path: path), defaultSource: "api import")
            }
        } catch var error as SluiceError where error.object == path {
            error.object = nil  // the spool file is this server's own: a 422 names no path of it
            throw error
        }
        try await audit("blacklist.import", subject: "\(result.rows) lines", detail: [
            "inserted": "\(result.inserted)", "updated": "\(result.updated)", "skipped": "\(result.problems.count)",
        ], context: context)
        return ImportAnswer(
            rows: result.rows, inserted: result.inserted, updated: result.updated, skipped: result.problems.count,
            problems: result.problems.prefix(100).map(\.description))
    }

    /// `GET /v1/blacklist/export?kind=`: CSV as `sluice blacklist export` writes it (IBANs as
    /// `sha256:<hex>`), streamed from the database in 64 KB chunks.
    func exportBlacklist(_ request: Request) async throws -> Response {
        let kind = try Self.blacklistKind(request.uri.queryParameters["kind"])
        let body = StreamedBody.body { [database, logger] send in
            _ = try await database.withConnection { connection in
                try await BlacklistTransfer(store: BlacklistStore(connection: connection, logger: logger)).exportCSV(kind: kind) { chunk in
                    try await send(ByteBuffer(bytes: chunk))
                }
            }
        }
        var headers: HTTPFields = [.contentType: "text/csv; charset=utf-8"]
        headers[.contentDisposition] = "attachment; filename=\"blacklist.csv\""
        return Response(status: .ok, headers: headers, body: body)
    }
}
