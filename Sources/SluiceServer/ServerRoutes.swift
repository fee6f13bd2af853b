import Foundation
import HTTPTypes
import Hummingbird
import Logging
import PostgresNIO
import SluiceCore
import SluiceJobs
import SluicePipeline
import SluicePostgres
import SluiceReconciliation
import SluiceS3

/// The HTTP routes of `sluice serve` that exist so far: health, reading runs, starting a run
/// as a job and reading jobs. Every error is answered as problem details (`ProblemMiddleware`).
public struct ServerRoutes: Sendable {
    let database: PostgresClient
    let readiness: ReadinessCheck
    /// The pipelines runs may use; `nil` answers 503 to starting runs.
    let catalog: PipelineCatalog?
    /// Where started runs wait for a worker; `nil` answers 503 to starting runs.
    let queue: JobQueue?
    /// The bearer token of bucket notifications; `nil` answers 503 to them.
    let eventsToken: String?
    /// Where uploads go; `nil` answers 503 to them.
    let uploads: UploadSettings?
    /// Who API tokens belong to: the stored tokens unless a test gives its own.
    let tokens: any TokenVerifier
    /// Whether health and metrics answer without a token (`SLUICE_OPEN_MONITORING`, default true).
    let openMonitoring: Bool
    /// The gateway's notification endpoints; with none, every endpoint token is unknown (403).
    let webhooks: WebhookSettings
    /// Where notifications are made durable; `nil` answers 503 to them.
    let journal: NotificationJournal?
    /// Asks the gateway about attempts; `nil` answers 503 to reconciling now.
    let reconciler: Reconciler?
    let logger: Logger

    public init(
        database: PostgresClient, readiness: ReadinessCheck, catalog: PipelineCatalog? = nil, queue: JobQueue? = nil, eventsToken: String? = nil,
        tokens: (any TokenVerifier)? = nil, tokenCacheTTL: Duration = .seconds(2), openMonitoring: Bool = true, uploads: UploadSettings? = nil,
        webhooks: WebhookSettings? = nil, journal: NotificationJournal? = nil, reconciler: Reconciler? = nil, logger: Logger
    ) {
        self.reconciler = reconciler
        self.webhooks = webhooks ?? WebhookSettings(endpoints: [])
        self.journal = journal
        self.uploads = uploads
        self.database = database
        self.readiness = readiness
        self.catalog = catalog
        self.queue = queue
        self.eventsToken = eventsToken
        self.tokens = tokens ?? CachingTokenVerifier(StoredTokenVerifier(database: database, logger: logger), ttl: tokenCacheTTL)
        self.openMonitoring = openMonitoring
        self.logger = logger
    }

    /// The largest `POST /v1/runs` body.
    static let maxRequestBytes = 64 << 10

    /// Default and largest page size of `GET /v1/runs`.
    static let defaultLimit = 50
    static let maxLimit = 500

    public func router() -> Router<SluiceRequestContext> {
        let router = Router(context: SluiceRequestContext.self)
        // Outside the problem answers, so traces, request logs and metrics see every final status.
        router.add(middleware: TracingMiddleware(recordingHeaders: [RequestIDMiddleware.header]))
        router.add(middleware: RequestIDMiddleware())
        router.add(middleware: MetricsMiddleware())
        router.add(middleware: ProblemMiddleware())
        router.add(middleware: WebhookMethodMiddleware())
        // Health and metrics: open, or for viewers, as configured.
        let monitoring = monitoringGroup(in: router)
        monitoring.get("/health/live") { _, _ in Health(status: "live", checks: nil) }
        monitoring.get("/health/ready") { _, _ in try await self.ready() }
        monitoring.get("/metrics") { _, _ in await MetricsEndpoint(database: self.database, logger: self.logger).response() }
        // MinIO authenticates bucket events with its own bearer token (SLUICE_EVENTS_TOKEN).
        router.post("/v1/events/s3") { request, _ in try await self.bucketEvent(request) }
        // The gateway authenticates notifications by the endpoint token and their signature.
        addWebhookRoutes(router)
        // Every other route needs a token whose role is at least the group's.
        let viewer = group(for: .viewer, in: router)
        let operators = group(for: .operator, in: router)
        let admins = group(for: .admin, in: router)
        addAuditRoutes(admins: admins)
        addRunRoutes(viewer: viewer, operators: operators)
        addRunControlRoutes(viewer: viewer, operators: operators)
        addVOPReportRoutes(viewer: viewer)
        addBillingRoutes(viewer: viewer, operators: operators)
        addBillingReportRoutes(viewer: viewer)
        addUploadRoutes(operators: operators)
        addPipelineRoutes(viewer: viewer)
        addBlacklistRoutes(viewer: viewer, admins: admins)
        addNotificationRoutes(viewer: viewer, operators: operators)
        addReconciliationRoutes(viewer: viewer, operators: operators)
        viewer.get("/v1/jobs/:id") { _, context in try await self.job(context.parameters.require("id")) }
        return router
    }

    func addRunRoutes(viewer: RouterGroup<SluiceRequestContext>, operators: RouterGroup<SluiceRequestContext>) {
        viewer.get("/v1/runs") { request, _ in try await self.listRuns(request) }
        viewer.get("/v1/runs/:id") { _, context in try await self.run(context.parameters.require("id")) }
        operators.post("/v1/runs") { request, context in try await self.startRun(request, context: context) }
    }

    func bucketEvent(_ request: Request) async throws -> BucketEventRoute.Outcome {
        guard let catalog, let queue, let token = eventsToken, !token.isEmpty else {
            throw ProblemDetails(status: .serviceUnavailable, code: "not_ready", title: "Not ready",
                                 detail: "bucket events are not configured on this server (SLUICE_EVENTS_TOKEN)")
        }
        return try await BucketEventRoute(database: database, catalog: catalog, queue: queue, token: token, logger: logger).handle(request)
    }

    struct StartRun: Decodable {
        var pipeline: String
        var input: String
    }

    struct Accepted: ResponseEncodable {
        var jobID: Int64
        var state: String
        var pipeline: String
        var input: String

        enum CodingKeys: String, CodingKey {
            case jobID = "job_id", state, pipeline, input
        }
    }

    /// `POST /v1/runs`: checks the request and enqueues a `run` job; a worker on any node runs
    /// it. `Idempotency-Key` makes a repeated request answer with the job the first one made.
    func startRun(_ request: Request, context: SluiceRequestContext) async throws -> Response {
        guard let catalog, let queue else {
            throw ProblemDetails(status: .serviceUnavailable, code: "not_ready", title: "Not ready", detail: "this server runs no job queue")
        }
        let start: StartRun = try await Self.decodeJSON(
            request, upTo: Self.maxRequestBytes, shape: #"{"pipeline": …, "input": "s3://bucket/key"}"#)
        guard catalog.pipelines[start.pipeline] != nil else { throw ProblemDetails.unknownPipeline(start.pipeline, catalog: catalog) }
        do {
            _ = try S3URL(parsing: start.input)
        } catch {
            throw ProblemDetails(status: .badRequest, code: "invalid_argument", title: "Invalid request",
                                 detail: "input must be an object in the bucket, s3://bucket/key: \(start.input)")
        }
        let key = request.headers[HTTPField.Name("Idempotency-Key")!]
        let enqueued = try await queue.enqueue(
            kind: RunJobHandler.kind, queue: RunJobPayload.queue(for: start.pipeline), payload: RunJobPayload(pipeline: start.pipeline, input: start.input), dedupeKey: key.map { "run:\($0)" })
        let accepted = Accepted(jobID: enqueued.id, state: enqueued.inserted ? "queued" : "already_queued", pipeline: start.pipeline, input: start.input)
        try await audit("run.start", subject: start.input, detail: ["pipeline": start.pipeline, "job_id": "\(enqueued.id)", "state": accepted.state], context: context)
        var response = try accepted.response(from: request, context: context)
        response.status = .accepted
        response.headers[.location] = "/v1/jobs/\(enqueued.id)"
        return response
    }

    func job(_ text: String) async throws -> JobResource {
        guard let id = Int64(text), id > 0 else {
            throw ProblemDetails(status: .badRequest, code: "invalid_argument", title: "Invalid request", detail: "'\(text)' is not a job id")
        }
        guard let queue else {
            throw ProblemDetails(status: .serviceUnavailable, code: "not_ready", title: "Not ready", detail: "this server runs no job queue")
        }
        guard let job = try await queue.job(id) else {
            throw ProblemDetails(status: .notFound, code: "job_not_found", title: "No such job", detail: "no job \(id)")
        }
        return JobResource(job: job)
    }

    struct Health: ResponseEncodable {
        var status: String
        var checks: [String: String]?
    }

    struct RunPage: ResponseEncodable {
        var items: [RunResource]
        var nextCursor: String?

        enum CodingKeys: String, CodingKey {
            case items, nextCursor = "next_cursor"
        }
    }

    func ready() async throws -> Health {
        let checks = await readiness.run()
        guard checks.values.allSatisfy({ $0 == "ok" }) else {
            var problem = ProblemDetails(status: .serviceUnavailable, code: "not_ready", title: "Not ready")
            problem.detail = checks.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "; ")
            throw problem
        }
        return Health(status: "ready", checks: checks)
    }

    func run(_ text: String) async throws -> RunResource {
        guard let id = UUID(uuidString: text) else {
            throw ProblemDetails(status: .badRequest, code: "invalid_argument", title: "Invalid request", detail: "'\(text)' is not a run id (a UUID)")
        }
        return try await database.withConnection { connection in
            let store = RunStore(connection: connection, logger: logger)
            guard let run = try await store.run(id: id) else {
                throw SluiceError(.runNotFound, "no run \(id.uuidString.lowercased())")
            }
            return RunResource(run: run, leaseOwner: try await store.leaseHolder(of: run)?.owner)
        }
    }

    func listRuns(_ request: Request) async throws -> RunPage {
        let query = request.uri.queryParameters
        var status: RunStatus?
        if let text = query["status"] {
            guard let parsed = RunStatus(rawValue: String(text)) else {
                let known = RunStatus.allCases.map(\.rawValue).joined(separator: ", ")
                throw ProblemDetails(status: .badRequest, code: "invalid_argument", title: "Invalid request", detail: "status must be one of \(known)")
            }
            status = parsed
        }
        let page = try PageQuery(query) { RunStore.RunCursor(token: $0) }
        let pipeline = query["pipeline"].map(String.init)
        let since = try query["since"].map { try Self.timestamp($0, name: "since") }
        let until = try query["until"].map { try Self.timestamp($0, name: "until") }
        return try await database.withConnection { connection in
            let store = RunStore(connection: connection, logger: logger)
            let runs = try await store.runs(
                status: status, pipeline: pipeline, startedSince: since, startedBefore: until, after: page.cursor, limit: page.limit)
            return RunPage(items: runs.runs.map { RunResource(run: $0) }, nextCursor: runs.next?.token)
        }
    }

    /// An RFC 3339 time from a query parameter (`2026-12-01T10:00:00Z`, fractions allowed).
    static func timestamp(_ text: Substring, name: String) throws -> Date {
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: String(text)) { return date }
        formatter.formatOptions.insert(.withFractionalSeconds)
        guard let date = formatter.date(from: String(text)) else {
            throw ProblemDetails.invalidRequest("\(name) must be an RFC 3339 time such as 2026-12-01T10:00:00Z, found '\(text)'")
        }
        return date
    }
}
