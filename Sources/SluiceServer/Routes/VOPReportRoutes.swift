import Foundation
import HTTPTypes
import Hummingbird
import SluiceCore
import SluiceReports

/// The VOP report of a run: `GET /v1/runs/{id}/vop`.
extension ServerRoutes {
    func addVOPReportRoutes(viewer: RouterGroup<SluiceRequestContext>) {
        viewer.get("/v1/runs/:id/vop") { request, context in try await self.vopReport(request, id: context.parameters.require("id")) }
    }

    /// `GET /v1/runs/{id}/vop?format=csv|xlsx&include_unverified=true|false`: the report of
    /// `sluice report vop`, streamed as the rejection report is: CSV from the database cursor to
    /// the socket in 64 KiB chunks, XLSX through a temporary file written in constant memory.
    func vopReport(_ request: Request, id text: String) async throws -> Response {
        let id = try Self.runID(text)
        let query = request.uri.queryParameters
        guard let format = ReportFormat(rawValue: query["format"].map(String.init) ?? "csv") else {
            throw ProblemDetails.invalidRequest("format must be csv or xlsx")
        }
        let includeUnverified: Bool
        switch query["include_unverified"].map(String.init) ?? "false" {
        case "true": includeUnverified = true
        case "false": includeUnverified = false
        default: throw ProblemDetails.invalidRequest("include_unverified must be true or false")
        }
        let run = try await existingRun(id)
        var headers: HTTPFields = [.contentType: format.contentType]
        headers[.contentDisposition] = "attachment; filename=\"run-\(run.idText.prefix(8))-vop.\(format.fileExtension)\""
        return try await reportResponse(run: run, format: format, headers: headers) { source, output, flush in
            let csv = try CSVVOPReportWriter(output: output)
            try await source.writeVOPChecks(includeUnverified: includeUnverified, to: csv, afterEach: flush)
            try csv.finish(summary: nil)
        } writeXLSX: { source, path in
            let xlsx = try XLSXVOPReportWriter(path: path)
            try await source.writeVOPChecks(includeUnverified: includeUnverified, to: xlsx)
            try xlsx.finish(summary: try await source.summary())
        }
    }
}
