import Foundation
import Logging
import SluicePipeline
import SluicePostgres
import SluiceS3

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

    static func logger(verbose: Bool) -> Logger {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = verbose ? .debug : .warning
            return handler
        }
        return Logger(label: "sluice")
    }
}
