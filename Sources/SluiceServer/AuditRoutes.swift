import Foundation
import Hummingbird
import SluicePostgres

extension ServerRoutes {
    func addAuditRoutes(admins: RouterGroup<SluiceRequestContext>) {
        admins.get("/v1/audit") { request, _ in try await self.listAudit(request) }
    }

    struct AuditPage: ResponseEncodable {
        var items: [AuditLog.Entry]
        var nextCursor: String?

        enum CodingKeys: String, CodingKey {
            case items, nextCursor = "next_cursor"
        }
    }

    /// `GET /v1/audit`: the audit log, newest first, paged by cursor like `GET /v1/runs`;
    /// `action` keeps one kind of entry.
    func listAudit(_ request: Request) async throws -> AuditPage {
        let query = request.uri.queryParameters
        let page = try PageQuery(query) { AuditLog.Cursor(token: $0) }
        let action = query["action"].map(String.init)
        return try await PooledConnections(client: database).withConnection(logger: logger) { connection in
            let entries = try await AuditLog(connection: connection, logger: logger).entries(action: action, after: page.cursor, limit: page.limit)
            return AuditPage(items: entries.entries, nextCursor: entries.next?.token)
        }
    }
}
