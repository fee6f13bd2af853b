import Foundation
import HTTPTypes
import Hummingbird
import SluiceCore
import SluiceGenesis
import SluiceJobs
import SluicePostgres
import SluiceReconciliation

extension AttemptReconcileResult: ResponseEncodable {}

/// Reconciliation over HTTP: reconcile an attempt now, queue a reconciliation, read an
/// attempt's history and the chargebacks.
///
/// | route | role | answer |
/// |---|---|---|
/// | `POST /v1/attempts/{id}/reconcile` | operator | 200 `AttemptReconcileResult` |
/// | `POST /v1/reconciliations` | operator | 202 `{job_id, kind, state}`, `Location: /v1/jobs/{id}` |
/// | `GET /v1/attempts/{id}/events` | viewer | 200 `{attempt_id, items}`, oldest first |
/// | `GET /v1/chargebacks?limit=&cursor=&code=` | viewer | 200 `{items, next_cursor}`, newest first |
extension ServerRoutes {
    func addReconciliationRoutes(viewer: RouterGroup<SluiceRequestContext>, operators: RouterGroup<SluiceRequestContext>) {
        operators.post("/v1/attempts/:id/reconcile") { _, context in
            try await self.reconcileAttempt(context.parameters.require("id"), context: context)
        }
        operators.post("/v1/reconciliations") { request, context in try await self.queueReconciliation(request, context: context) }
        viewer.get("/v1/attempts/:id/events") { _, context in try await self.attemptEvents(context.parameters.require("id")) }
        viewer.get("/v1/chargebacks") { request, _ in try await self.listChargebacks(request) }
    }

    var reconciliationStore: ReconciliationStore {
        ReconciliationStore(source: PooledConnections(client: database), logger: logger)
    }

    static func attemptID(_ text: String) throws -> Int64 {
        guard let id = Int64(text), id > 0 else { throw ProblemDetails.invalidRequest("'\(text)' is not an attempt id") }
        return id
    }

    /// `POST /v1/attempts/{id}/reconcile`: asks the gateway now and applies its answer; 404 for
    /// no such attempt, 502 when the gateway gave no usable answer.
    func reconcileAttempt(_ text: String, context: SluiceRequestContext) async throws -> AttemptReconcileResult {
        let id = try Self.attemptID(text)
        guard let reconciler else { throw ProblemDetails.notReady("this server has no gateway to reconcile with") }
        let result = try await reconciler.reconcile(attemptID: id)
        try await audit("attempt.reconcile", subject: "\(id)", detail: [
            "from": result.previousStatus.rawValue, "to": result.status.rawValue, "outcome": result.outcome.rawValue,
        ], context: context)
        return result
    }

    struct QueueReconciliation: Decodable {
        var kind: String
        var terminal: String?
        var startDate: String?
        var endDate: String?

        enum CodingKeys: String, CodingKey {
            case kind, terminal
            case startDate = "start_date"
            case endDate = "end_date"
        }
    }

    struct ReconciliationAccepted: ResponseEncodable {
        var jobID: Int64
        var kind: String
        var state: String
        var terminal: String?
        var startDate: String?
        var endDate: String?

        enum CodingKeys: String, CodingKey {
            case kind, state, terminal
            case jobID = "job_id"
            case startDate = "start_date"
            case endDate = "end_date"
        }
    }

    /// `POST /v1/reconciliations`: queues a `pending`, `by_date` or `chargebacks` job for one
    /// terminal or all; missing dates default to the scheduler's range (yesterday and today for
    /// `by_date`, the sync's look-back for `chargebacks`). `Idempotency-Key` makes a repeated
    /// request answer with the job the first one queued.
    func queueReconciliation(_ request: Request, context: SluiceRequestContext) async throws -> Response {
        guard let queue else { throw ProblemDetails.notReady("this server runs no job queue") }
        let body: QueueReconciliation = try await Self.decodeJSON(
            request, upTo: Self.maxRequestBytes,
            shape: #"{"kind": "by_date" | "chargebacks" | "pending", "terminal": …, "start_date": "yyyy-MM-dd", "end_date": "yyyy-MM-dd"}"#)
        guard let kind = ReconciliationKind(rawValue: body.kind) else {
            throw ProblemDetails.invalidRequest("kind must be one of \(ReconciliationKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let terminal = body.terminal, terminal.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ProblemDetails.invalidRequest("terminal must not be empty; leave it out for every terminal")
        }
        var payload = ReconciliationJobPayload(terminal: body.terminal)
        if kind.needsDates {
            let settings = reconciler?.settings ?? ReconciliationSettings()
            let fallback = GatewayDateRange.lastDays(kind == .byDate ? settings.byDateDays : settings.chargebackSyncDays, endingAt: Date())
            let range: GatewayDateRange
            do {
                range = try GatewayDateRange.validated(start: body.startDate ?? fallback.startDate, end: body.endDate ?? fallback.endDate)
            } catch let error as SluiceError {
                throw ProblemDetails.invalidRequest(error.reason)
            }
            payload = ReconciliationJobPayload(terminal: body.terminal, range: range)
        } else if body.startDate != nil || body.endDate != nil {
            throw ProblemDetails.invalidRequest("a pending reconciliation takes no dates")
        }
        let key = request.headers[HTTPField.Name("Idempotency-Key")!]
        let job = try await queue.enqueue(kind: kind.jobKind, payload: payload, maxAttempts: 3, dedupeKey: key.map { "reconciliation:\($0)" })
        let accepted = ReconciliationAccepted(
            jobID: job.id, kind: kind.rawValue, state: job.inserted ? "queued" : "already_queued", terminal: payload.terminal,
            startDate: payload.startDate, endDate: payload.endDate)
        var detail = ["kind": kind.rawValue, "job_id": "\(job.id)", "state": accepted.state]
        if let terminal = payload.terminal { detail["terminal"] = terminal }
        if let start = payload.startDate, let end = payload.endDate { detail["dates"] = "\(start)..\(end)" }
        try await audit("reconciliation.queue", subject: kind.rawValue, detail: detail, context: context)
        var response = try accepted.response(from: request, context: context)
        response.status = .accepted
        response.headers[.location] = "/v1/jobs/\(job.id)"
        return response
    }

    struct AttemptEvents: ResponseEncodable {
        var attemptID: Int64
        var items: [AttemptEventRecord]

        enum CodingKeys: String, CodingKey {
            case items, attemptID = "attempt_id"
        }
    }

    /// `GET /v1/attempts/{id}/events`: every status the gateway told about the attempt, by which
    /// way, applied or not; oldest first, so the newest is last.
    func attemptEvents(_ text: String) async throws -> AttemptEvents {
        let id = try Self.attemptID(text)
        guard let events = try await reconciliationStore.events(attemptID: id) else { throw SluiceError(.notFound, "no billing attempt \(id)") }
        return AttemptEvents(attemptID: id, items: events)
    }

    struct ChargebackPage: ResponseEncodable {
        var items: [ChargebackRecord]
        var nextCursor: String?

        enum CodingKeys: String, CodingKey {
            case items, nextCursor = "next_cursor"
        }
    }

    /// `GET /v1/chargebacks?code=&limit=&cursor=`: chargebacks newest first, IBANs masked.
    func listChargebacks(_ request: Request) async throws -> ChargebackPage {
        let query = request.uri.queryParameters
        let page = try PageQuery(query) { token -> Int64? in
            guard let id = Int64(token), id > 0 else { return nil }
            return id
        }
        let code = try query["code"].map { text -> String in
            let code = String(text).uppercased()
            guard (2...8).contains(code.count), code.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
                throw ProblemDetails.invalidRequest("code must be a reason code such as AC04")
            }
            return code
        }
        let records = try await reconciliationStore.chargebacks(code: code, beforeID: page.cursor, limit: page.limit + 1)
        let items = Array(records.prefix(page.limit))
        return ChargebackPage(items: items, nextCursor: records.count > page.limit ? items.last.map { String($0.id) } : nil)
    }
}
