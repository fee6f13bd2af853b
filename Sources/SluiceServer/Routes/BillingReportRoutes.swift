import Foundation
import HTTPTypes
import Hummingbird
import SluiceCore
import SluiceReports

/// The billing report of a run: `GET /v1/runs/{id}/billing/report`.
extension ServerRoutes {
    func addBillingReportRoutes(viewer: RouterGroup<SluiceRequestContext>) {
        viewer.get("/v1/runs/:id/billing/report") { request, context in
            try await self.billingReport(request, id: context.parameters.require("id"))
        }
    }

    /// `GET /v1/runs/{id}/billing/report?format=csv|xlsx`: the report of `sluice report billing`,
    /// streamed as the other reports are: CSV from the database cursor to the socket in 64 KiB
    /// chunks, XLSX through a temporary file written in constant memory, its `Summary` sheet
    /// ending with the billing figures.
    func billingReport(_ request: Request, id text: String) async throws -> Response {
        let id = try Self.runID(text)
        guard let format = ReportFormat(rawValue: request.uri.queryParameters["format"].map(String.init) ?? "csv") else {
            throw ProblemDetails.invalidRequest("format must be csv or xlsx")
        }
        let run = try await existingRun(id)
        // Answered before the body starts: once a CSV streams, its status is already 200.
        let billed = try await database.withConnection { connection in
            try await RunReportSource(connection: connection, run: run, logger: logger).isHandedToBilling()
        }
        guard billed else {
            throw ProblemDetails(status: .notFound, code: "billing_not_found", title: "No billing", detail: "run \(run.idText) was never handed to billing")
        }
        var headers: HTTPFields = [.contentType: format.contentType]
        headers[.contentDisposition] = "attachment; filename=\"run-\(run.idText.prefix(8))-billing.\(format.fileExtension)\""
        return try await reportResponse(run: run, format: format, headers: headers) { source, output, flush in
            let csv = try CSVBillingReportWriter(output: output)
            try await source.writeBillingRows(to: csv, afterEach: flush)
            try csv.finish(summary: nil, figures: nil)
        } writeXLSX: { source, path in
            let xlsx = try XLSXBillingReportWriter(path: path)
            try await source.writeBillingRows(to: xlsx)
            try xlsx.finish(summary: try await source.summary(), figures: try await source.billingFigures())
        }
    }
}
