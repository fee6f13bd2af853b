import Logging
import PostgresNIO
import SluiceCore
import SluicePostgres
import SluiceS3

/// What `GET /health/ready` checks: PostgreSQL answers and its schema is the one this build
/// needs, and the object store lists the bucket. Each check answers "ok" or why not.
public struct ReadinessCheck: Sendable {
    let database: PostgresClient
    let s3: S3Client?
    let bucket: String?
    let logger: Logger

    public init(database: PostgresClient, s3: S3Client?, bucket: String?, logger: Logger) {
        self.database = database
        self.s3 = s3
        self.bucket = bucket
        self.logger = logger
    }

    public func run() async -> [String: String] {
        var checks: [String: String] = [:]
        do {
            try await database.withConnection { connection in
                try await Migrator().requireCurrent(on: connection, logger: logger)
            }
            checks["postgres"] = "ok"
        } catch let error as SluiceError {
            checks["postgres"] = error.reason
        } catch {
            checks["postgres"] = "unreachable"
        }
        if let s3, let bucket {
            do {
                _ = try await s3.listObjectsV2(bucket: bucket, maxKeys: 1)
                checks["s3"] = "ok"
            } catch let error as SluiceError {
                checks["s3"] = error.reason
            } catch {
                checks["s3"] = "unreachable"
            }
        }
        return checks
    }
}
