import Foundation
import Logging
import PostgresNIO
import SluiceCore
import SluicePostgres
import SluiceReports

/// What both report commands start from: a database connection and the resolved run.
struct ReportContext {
    let connection: PostgresConnection
    let runs: RunStore
    let run: RunRecord
    let logger: Logger

    /// Runs `body` with the resolved run on one connection, closed when `body` ends.
    static func with<T>(runID: String, logger: Logger, _ body: (ReportContext) async throws -> T) async throws -> T {
        try await Environment.database().withConnection(logger: logger) { connection in
            // Reports only read: check the schema, never change it.
            try await Migrator().requireCurrent(on: connection, logger: logger)
            let runs = RunStore(connection: connection, logger: logger)
            let run = try await runs.resolveRun(runID)
            return try await body(ReportContext(connection: connection, runs: runs, run: run, logger: logger))
        }
    }

    var source: RunReportSource { RunReportSource(connection: connection, run: run, logger: logger) }

    func summary() async throws -> RunSummaryReport {
        try await source.summary()
    }
}
