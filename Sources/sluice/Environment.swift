import Foundation
import Logging
import PostgresNIO
import SluicePipeline
import SluicePostgres
import SluiceS3
import SluiceServer

/// What commands read from the environment.
enum Environment {
    static func database() throws -> DatabaseConfiguration {
        try DatabaseConfiguration.fromEnvironment()
    }

    /// S3 settings when they are present; `nil` lets local-file commands work without them.
    ///
    /// Besides the endpoint and credentials, the timeouts and retries:
    /// `SLUICE_S3_CONNECT_TIMEOUT`, `SLUICE_S3_READ_TIMEOUT`, `SLUICE_S3_MAX_ATTEMPTS`,
    /// `SLUICE_S3_MAX_RETRY_TIME`, `SLUICE_S3_RETRY_BACKOFF` (`S3Configuration.fromEnvironment`,
    /// docs/operations.md). A bad value is an error (exit 4) before anything is read.
    static func s3() throws -> S3Configuration? {
        guard ProcessInfo.processInfo.environment["SLUICE_S3_ENDPOINT"] != nil else { return nil }
        return try S3Configuration.fromEnvironment()
    }

    /// Bootstraps logging once per process: `SLUICE_LOG_FORMAT`, `SLUICE_LOG_LEVEL` and
    /// `SLUICE_NODE_ID` (`LogSettings`); JSON at info for the server, text at warning otherwise.
    static func logger(verbose: Bool, server: Bool = false) -> Logger {
        let settings = LogSettings(environment: ProcessInfo.processInfo.environment, server: server, verbose: verbose)
        LoggingSystem.bootstrap { label in settings.makeHandler(label: label, server: server) }
        let logger = Logger(label: "sluice")
        for problem in settings.problems { logger.warning("\(problem)") }
        return logger
    }

    /// Runs `body` on one database connection, after migrating (or, for commands that only
    /// read, after checking the schema is current), reporting errors the CLI way.
    static func withDatabase<T>(readOnly: Bool = false, _ body: (PostgresConnection, Logger) async throws -> T) async throws -> T {
        let logger = logger(verbose: false)
        return try await reportingErrors {
            try await database().withConnection(logger: logger) { connection in
                if readOnly {
                    try await Migrator().requireCurrent(on: connection, logger: logger)
                } else {
                    try await Migrator().migrate(on: connection, logger: logger)
                }
                return try await body(connection, logger)
            }
        }
    }
}
