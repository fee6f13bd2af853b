import Foundation
import HTTPTypes
import Hummingbird
import SluiceCore
import SluiceJobs
import SluicePostgres
import SluiceReports

/// Run control and run reports: cancel, resume, the summary and the rejection report.
extension ServerRoutes {
    func addRunControlRoutes(viewer: RouterGroup<SluiceRequestContext>, operators: RouterGroup<SluiceRequestContext>) {
        viewer.get("/v1/runs/:id/summary") { request, context in try await self.summary(request, id: context.parameters.require("id")) }
        viewer.get("/v1/runs/:id/rejections") { request, context in
            try await self.rejections(request, id: context.parameters.require("id"))
        }
        operators.post("/v1/runs/:id/cancel") { request, context in
            try await self.cancel(request, id: context.parameters.require("id"), context: context)
        }
        operators.post("/v1/runs/:id/resume") { request, context in
            try await self.resume(request, id: context.parameters.require("id"), context: context)
        }
    }

    static func runID(_ text: String) throws -> UUID {
        guard let id = UUID(uuidString: text) else { throw ProblemDetails.invalidRequest("'\(text)' is not a run id (a UUID)") }
        return id
    }

    /// The run, or a 404 problem.
    func existingRun(_ id: UUID) async throws -> RunRecord {
        try await database.withConnection { connection in
            guard let run = try await RunStore(connection: connection, logger: logger).run(id: id) else {
                throw SluiceError(.runNotFound, "no run \(id.uuidString.lowercased())")
            }
            return run
        }
    }

    /// `GET /v1/runs/{id}/summary?format=json|text|csv`: what `sluice report summary` prints.
    func summary(_ request: Request, id text: String) async throws -> Response {
        let id = try Self.runID(text)
        let format = request.uri.queryParameters["format"].map(String.init) ?? "json"
        guard ["json", "text", "csv"].contains(format) else { throw ProblemDetails.invalidRequest("format must be json, text or csv") }
        let summary = try await database.withConnection { connection in
            guard let run = try await RunStore(connection: connection, logger: logger).run(id: id) else {
                throw SluiceError(.runNotFound, "no run \(id.uuidString.lowercased())")
            }
            return try await RunReportSource(connection: connection, run: run, logger: logger).summary()
        }
        let (body, contentType) = switch format {
        case "text": (summary.text(), "text/plain; charset=utf-8")
        case "csv": (summary.csv(), "text/csv; charset=utf-8")
        default: (try summary.json() + "\n", "application/json")
        }
        return Response(status: .ok, headers: [.contentType: contentType], body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }

    /// `GET /v1/runs/{id}/rejections?format=csv|xlsx&outcome=rejected|flagged`: the report of
    /// `sluice report rejections`, IBANs masked. CSV streams from the database cursor to the
    /// socket in 64 KiB chunks; XLSX is written to a temporary file in constant memory (a zip
    /// needs its directory at the end) and streamed from there.
    func rejections(_ request: Request, id text: String) async throws -> Response {
        let id = try Self.runID(text)
        let query = request.uri.queryParameters
        guard let format = ReportFormat(rawValue: query["format"].map(String.init) ?? "csv") else {
            throw ProblemDetails.invalidRequest("format must be csv or xlsx")
        }
        let outcomeText = query["outcome"].map(String.init) ?? "rejected"
        guard let outcome = RejectionStore.Outcome(rawValue: outcomeText) else {
            throw ProblemDetails.invalidRequest("outcome must be rejected or flagged")
        }
        let run = try await existingRun(id)
        var headers: HTTPFields = [.contentType: format.contentType]
        headers[.contentDisposition] = "attachment; filename=\"run-\(run.idText.prefix(8))-\(outcome.rawValue).\(format.fileExtension)\""
        return try await reportResponse(run: run, format: format, headers: headers) { source, output, flush in
            let csv = try CSVRejectionReportWriter(output: output, layout: try await source.layout())
            try await source.writeRows(outcome, masksIBANs: true, to: csv, afterEach: flush)
            try csv.finish(summary: nil)
        } writeXLSX: { source, path in
            let xlsx = try XLSXRejectionReportWriter(path: path, layout: try await source.layout())
            try await source.writeRows(outcome, masksIBANs: true, to: xlsx)
            try xlsx.finish(summary: try await source.summary())
        }
    }

    struct CancelAnswer: ResponseEncodable {
        var runID: String
        /// `requested` (the node working on it stops after its batches in flight) or `cancelled`.
        var outcome: String
        var owner: String?

        enum CodingKeys: String, CodingKey {
            case runID = "run_id", outcome, owner
        }
    }

    /// `POST /v1/runs/{id}/cancel`: as `sluice cancel`; 409 for a run that is over.
    func cancel(_ request: Request, id text: String, context: SluiceRequestContext) async throws -> Response {
        let id = try Self.runID(text)
        _ = try await existingRun(id)
        let outcome = try await database.withConnection { connection in
            try await RunStore(connection: connection, logger: logger).requestCancel(id)
        }
        let answer = switch outcome {
        case .requested(let owner): CancelAnswer(runID: id.uuidString.lowercased(), outcome: "requested", owner: owner)
        case .cancelled: CancelAnswer(runID: id.uuidString.lowercased(), outcome: "cancelled", owner: nil)
        }
        try await audit("run.cancel", subject: answer.runID, detail: ["outcome": answer.outcome], context: context)
        var response = try answer.response(from: request, context: context)
        response.status = .accepted
        return response
    }

    struct ResumeAnswer: ResponseEncodable {
        var jobID: Int64
        var state: String
        var runID: String

        enum CodingKeys: String, CodingKey {
            case jobID = "job_id", state, runID = "run_id"
        }
    }

    /// `POST /v1/runs/{id}/resume`: queues a job that continues a failed, interrupted or
    /// cancelled run from its last checkpoint. Asking twice before it runs gives the same job.
    func resume(_ request: Request, id text: String, context: SluiceRequestContext) async throws -> Response {
        guard let catalog, let queue else { throw ProblemDetails.notReady("this server runs no job queue") }
        let id = try Self.runID(text)
        let (run, holder) = try await database.withConnection { connection in
            let store = RunStore(connection: connection, logger: logger)
            guard let run = try await store.run(id: id) else { throw SluiceError(.runNotFound, "no run \(id.uuidString.lowercased())") }
            return (run, try await store.leaseHolder(of: run))
        }
        guard run.status != .completed else {
            throw SluiceError(.runNotResumable, "run \(run.idText) is completed: there is nothing to resume")
        }
        if let holder, holder.secondsLeft > 0 {
            throw SluiceError(.runLocked, "run \(run.idText) is being worked on by \(holder.owner)")
        }
        guard catalog.pipelines[run.pipeline] != nil else { throw ProblemDetails.unknownPipeline(run.pipeline, catalog: catalog) }
        let enqueued = try await queue.enqueue(
            kind: RunJobHandler.kind, queue: RunJobPayload.queue(for: run.pipeline),
            payload: RunJobPayload(pipeline: run.pipeline, input: run.objectURI, resume: run.id),
            dedupeKey: "resume:\(run.idText):\(run.attempts)")
        let answer = ResumeAnswer(jobID: enqueued.id, state: enqueued.inserted ? "queued" : "already_queued", runID: run.idText)
        try await audit("run.resume", subject: run.idText, detail: ["job_id": "\(enqueued.id)", "state": answer.state], context: context)
        var response = try answer.response(from: request, context: context)
        response.status = .accepted
        response.headers[.location] = "/v1/jobs/\(enqueued.id)"
        return response
    }
}
