import Foundation
import HTTPTypes
import Hummingbird
import SluiceCore
import SluiceReports

extension ServerRoutes {
    /// A run's report as an answer, the same way for every report. CSV streams from the
    /// database cursor to the socket: `writeCSV` writes into the output and calls its `flush`
    /// argument as rows go by, and each full chunk is sent then. XLSX is written to a temporary
    /// file by `writeXLSX` in constant memory (a zip needs its directory at the end) and
    /// streamed from there.
    func reportResponse(
        run: RunRecord, format: ReportFormat, headers: HTTPFields,
        writeCSV: @escaping @Sendable (RunReportSource, ChunkedReportOutput, _ flush: () async throws -> Void) async throws -> Void,
        writeXLSX: @escaping @Sendable (RunReportSource, _ path: String) async throws -> Void
    ) async throws -> Response {
        switch format {
        case .csv:
            let body = StreamedBody.body { [database, logger] send in
                try await database.withConnection { connection in
                    let source = RunReportSource(connection: connection, run: run, logger: logger)
                    let output = ChunkedReportOutput()
                    try await writeCSV(source, output) {
                        if let chunk = output.takeChunk() { try await send(ByteBuffer(bytes: chunk)) }
                    }
                    if let rest = output.takeChunk() { try await send(ByteBuffer(bytes: rest)) }
                }
            }
            return Response(status: .ok, headers: headers, body: body)
        case .xlsx:
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-report-\(UUID().uuidString).xlsx").path
            do {
                try await database.withConnection { connection in
                    try await writeXLSX(RunReportSource(connection: connection, run: run, logger: logger), path)
                }
            } catch {
                try? FileManager.default.removeItem(atPath: path)
                throw error
            }
            return Response(status: .ok, headers: headers, body: TemporaryFileBody.body(path: path))
        }
    }
}
