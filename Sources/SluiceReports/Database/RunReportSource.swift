import Logging
import PostgresNIO
import SluiceCore
import SluicePostgres

/// What every report of one run reads from the database: its summary, its column layout and
/// its rejected (or flagged) rows, its VOP checks (`RunReportSource+VOP.swift`). The CLI's `sluice report` and the HTTP API both use it.
public struct RunReportSource: Sendable {
    public let connection: PostgresConnection
    public let run: RunRecord
    let logger: Logger

    public init(connection: PostgresConnection, run: RunRecord, logger: Logger) {
        self.connection = connection
        self.run = run
        self.logger = logger
    }

    public func summary() async throws -> RunSummaryReport {
        RunSummaryReport(
            run: run, timings: try await RunStore(connection: connection, logger: logger).timings(of: run.id), vop: try await vopFigures())
    }

    public func layout() async throws -> ReportLayout {
        guard let (header, columnSources) = try await RunStore(connection: connection, logger: logger).sourceLayout(of: run.id) else {
            return .unknown
        }
        return ReportLayout(header: header, columnSources: columnSources)
    }

    /// Streams the run's rows of `outcome` into `writer`, in line order, one database row at a
    /// time; `afterEach` runs after every row (a streamed answer sends full chunks there).
    nonisolated(nonsending) public func writeRows(
        _ outcome: RejectionStore.Outcome, masksIBANs: Bool, to writer: any RejectionReportWriter,
        afterEach: () async throws -> Void = {}
    ) async throws {
        let builder = RejectedRowBuilder(layout: writer.layout, masksIBANs: masksIBANs)
        try await RejectionStore(connection: connection, logger: logger).forEachRow(of: run.id, outcome: outcome) { record in
            let reasons = record.reasons.map { RejectionReason(code: $0.code, message: $0.message, column: $0.column) }
            try writer.write(builder.row(line: record.line, batch: record.batchSequence, raw: record.raw, reasons: reasons))
            try await afterEach()
        }
    }
}
