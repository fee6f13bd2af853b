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
