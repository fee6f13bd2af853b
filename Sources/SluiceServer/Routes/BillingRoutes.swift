import Foundation
import Hummingbird
import SluiceBilling
import SluiceCore
import SluicePostgres

extension BillingSummary: ResponseEncodable {}
extension BillingStore.AttemptView: ResponseEncodable {}

/// Billing over HTTP: `GET`/`POST /v1/runs/{id}/billing` and `GET /v1/attempts`.
extension ServerRoutes {
    func addBillingRoutes(viewer: RouterGroup<SluiceRequestContext>, operators: RouterGroup<SluiceRequestContext>) {
        viewer.get("/v1/runs/:id/billing") { _, context in try await self.billingSummary(context.parameters.require("id")) }
        operators.post("/v1/runs/:id/billing") { request, context in
            try await self.startBilling(request, id: context.parameters.require("id"), context: context)
        }
        viewer.get("/v1/attempts") { request, _ in try await self.listAttempts(request) }
    }

    var billingStore: BillingStore { BillingStore(source: PooledConnections(client: database), logger: logger) }

    /// `GET /v1/runs/{id}/billing`: counts by status and skip reason, and whether it is paused.
    func billingSummary(_ text: String) async throws -> BillingSummary {
        let id = try Self.runID(text)
        guard let summary = try await billingStore.summary(of: id) else {
            throw ProblemDetails(status: .notFound, code: "billing_not_found", title: "No billing", detail: "run \(text.lowercased()) was never handed to billing")
        }
        return summary
    }

    /// `POST /v1/runs/{id}/billing`: hands a completed run to billing (with its pipeline's
    /// billing section) and answers 202 with the billing; a worker bills it. Idempotent.
    func startBilling(_ request: Request, id text: String, context: SluiceRequestContext) async throws -> Response {
        let id = try Self.runID(text)
        let run = try await existingRun(id)
        if try await billingStore.billingRun(id) == nil {
            guard let catalog else { throw ProblemDetails.notReady("this server has no pipelines folder") }
            guard let spec = try? catalog.pipeline(named: run.pipeline) else { throw ProblemDetails.unknownPipeline(run.pipeline, catalog: catalog) }
            guard let settings = spec.billing else {
                throw SluiceError(.invalidPipeline, "pipeline \(spec.name) has no billing section", pipeline: spec.name, stage: .billing)
            }
            let job = try await billingStore.handOff(
                runID: id, pipeline: spec.name, targetTable: spec.target.description, settings: settings, requestedBy: context.caller?.name ?? "api")
            try await audit("billing.start", subject: run.idText, detail: ["job_id": "\(job)", "pipeline": spec.name], context: context)
        }
        let summary = try await billingSummary(text)
        var response = try summary.response(from: request, context: context)
        response.status = .accepted
        response.headers[.location] = "/v1/runs/\(run.idText)/billing"
        return response
    }

    struct AttemptPage: ResponseEncodable {
        var items: [BillingStore.AttemptView]
        var nextCursor: String?

        enum CodingKeys: String, CodingKey {
            case items, nextCursor = "next_cursor"
        }
    }

    /// `GET /v1/attempts?run=&status=&limit=&cursor=`: attempts oldest first, IBANs masked.
    func listAttempts(_ request: Request) async throws -> AttemptPage {
        let query = request.uri.queryParameters
        let page = try PageQuery(query) { token -> Int64? in
            guard token.hasPrefix("a"), let id = Int64(token.dropFirst()), id >= 0 else { return nil }
            return id
        }
        let run = try query["run"].map { try Self.runID(String($0)) }
        let status = try query["status"].map { text -> AttemptStatus in
            guard let status = AttemptStatus(rawValue: String(text)) else {
                throw ProblemDetails.invalidRequest("status must be one of \(AttemptStatus.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return status
        }
        let items = try await billingStore.attempts(runID: run, status: status, afterID: page.cursor ?? 0, limit: page.limit)
        return AttemptPage(items: items, nextCursor: items.count == page.limit ? items.last.map { "a\($0.id)" } : nil)
    }
}
