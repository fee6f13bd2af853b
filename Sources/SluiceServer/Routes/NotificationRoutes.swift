import Foundation
import Hummingbird
import SluiceCore
import SluicePostgres
import SluiceReconciliation

extension ServerRoutes {
    /// `POST /webhooks/genesis/{endpoint_token}`; other methods there get 405 from
    /// `WebhookMethodMiddleware`, so the API description lists only the real operation.
    func addWebhookRoutes(_ router: Router<SluiceRequestContext>) {
        let path = RouterPath("/webhooks/genesis/:token")
        let webhook = journal.map {
            GenesisWebhookRoute(
                settings: webhooks, journal: $0, limiter: SourceRateLimiter(ratePerSecond: webhooks.ratePerSecond), metrics: ReconciliationMetrics(),
                logger: logger)
        }
        router.post(path) { request, context in
            guard let webhook else { throw ProblemDetails.notReady("this server does not take notifications (no database journal)") }
            return try await webhook.handle(request, context: context)
        }
    }

    /// The stored notifications: list, show, replay.
    func addNotificationRoutes(viewer: RouterGroup<SluiceRequestContext>, operators: RouterGroup<SluiceRequestContext>) {
        viewer.get("/v1/notifications") { request, _ in try await self.listNotifications(request) }
        viewer.get("/v1/notifications/:id") { _, context in
            let id = try Self.notificationID(context.parameters.require("id"))
            guard let record = try await self.notificationStore.notification(id) else {
                throw SluiceError(.notFound, "no notification \(id)")
            }
            return NotificationResource(record)
        }
        operators.post("/v1/notifications/:id/replay") { request, context in
            let id = try Self.notificationID(context.parameters.require("id"))
            guard let queue = self.queue else { throw ProblemDetails.notReady("this server runs no job queue") }
            let job = try await self.notificationStore.replay(id, queue: queue)
            try await self.audit("notification.replay", subject: "\(id)", detail: ["job_id": "\(job.id)"], context: context)
            var response = try ReplayAccepted(notificationID: id, jobID: job.id).response(from: request, context: context)
            response.status = .accepted
            response.headers[.location] = "/v1/jobs/\(job.id)"
            return response
        }
    }

    var notificationStore: NotificationStore {
        NotificationStore(source: PooledConnections(client: database), logger: logger)
    }

    static func notificationID(_ text: String) throws -> Int64 {
        guard let id = Int64(text), id > 0 else { throw ProblemDetails.invalidRequest("'\(text)' is not a notification id") }
        return id
    }

    func listNotifications(_ request: Request) async throws -> NotificationPage {
        let query = request.uri.queryParameters
        var filter = NotificationFilter(status: query["status"].map(String.init), terminal: query["terminal"].map(String.init))
        filter.uniqueID = query["unique_id"].map(String.init)
        if let outcome = query["outcome"].map(String.init) {
            let known = ObservationOutcome.allCases.map(\.rawValue) + ["pending"]
            guard known.contains(outcome) else { throw ProblemDetails.invalidRequest("outcome must be one of \(known.joined(separator: ", "))") }
            filter.outcome = outcome
        }
        if let signature = query["signature"] {
            switch signature {
            case "failed": filter.signatureOK = false
            case "ok": filter.signatureOK = true
            default: throw ProblemDetails.invalidRequest("signature must be failed or ok")
            }
        }
        let page = try PageQuery(query) { Int64($0) }
        let records = try await notificationStore.list(filter, beforeID: page.cursor, limit: page.limit + 1)
        let items = Array(records.prefix(page.limit))
        return NotificationPage(
            items: items.map(NotificationResource.init), nextCursor: records.count > page.limit ? items.last.map { String($0.id) } : nil)
    }
}

/// A stored notification as the API shows it.
struct NotificationResource: ResponseEncodable {
    var record: NotificationRecord

    init(_ record: NotificationRecord) {
        self.record = record
    }

    func encode(to encoder: any Encoder) throws {
        try record.encode(to: encoder)
    }
}

struct NotificationPage: ResponseEncodable {
    var items: [NotificationResource]
    var nextCursor: String?

    enum CodingKeys: String, CodingKey {
        case items, nextCursor = "next_cursor"
    }
}

struct ReplayAccepted: ResponseEncodable {
    var notificationID: Int64
    var jobID: Int64

    enum CodingKeys: String, CodingKey {
        case notificationID = "notification_id", jobID = "job_id"
    }
}
