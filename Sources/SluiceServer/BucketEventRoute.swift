import Foundation
import HTTPTypes
import Hummingbird
import Logging
import PostgresNIO
import SluiceCore
import SluiceJobs
import SluicePipeline
import SluicePostgres
import SluiceS3

/// `POST /v1/events/s3`: MinIO's bucket notifications. Each created object that a pipeline's
/// `watch:` rules take becomes a `run` job, once per object version (`DropIntake`), and the
/// answer comes as soon as the jobs are queued (MinIO retries, oldest first, when an answer is
/// slow or not 2xx).
struct BucketEventRoute: Sendable {
    let database: PostgresClient
    let catalog: PipelineCatalog
    let queue: JobQueue
    /// The bearer token MinIO is configured with (`SLUICE_EVENTS_TOKEN`).
    let token: String
    let logger: Logger

    /// The largest notification body taken.
    static let maxBytes = 1 << 20

    struct Outcome: ResponseEncodable {
        struct Queued: Encodable {
            var pipeline: String
            var object: String
            var etag: String
            var jobID: Int64
            var new: Bool

            enum CodingKeys: String, CodingKey {
                case pipeline, object, etag, jobID = "job_id", new
            }
        }

        var queued: [Queued]
        /// Records that created no object a pipeline watches, or were not creations.
        var ignored: Int
    }

    func handle(_ request: Request) async throws -> Outcome {
        guard Self.sameToken(request.headers[.authorization], expected: "Bearer " + token) else {
            throw ProblemDetails(status: .unauthorized, code: "unauthorized", title: "Unauthorized", detail: "a bucket event needs the configured bearer token")
        }
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: Self.maxBytes)
        } catch {
            throw ProblemDetails(status: .contentTooLarge, code: "too_large", title: "Content too large", detail: "a notification is at most 1 MiB")
        }
        let notification: BucketNotification
        do {
            notification = try BucketNotification(json: Data(buffer: body))
        } catch let error as SluiceError {
            throw ProblemDetails(status: .badRequest, code: "invalid_argument", title: "Invalid request", detail: error.reason)
        }
        let drops = catalog.router.drops(from: notification)
        var queued: [Outcome.Queued] = []
        let intake = DropIntake(database: database, queue: queue, logger: logger)
        for drop in drops {
            let job = try await intake.take(drop, arrival: .event)
            queued.append(.init(pipeline: drop.pipeline, object: drop.uri, etag: drop.etag, jobID: job.id, new: job.inserted))
        }
        logger.info("bucket event", metadata: ["records": "\(notification.eventNames.count)", "queued": "\(queued.filter(\.new).count)"])
        return Outcome(queued: queued, ignored: notification.eventNames.count - drops.count)
    }

    /// Compares every byte whatever the first difference, so the answer time does not tell
    /// how much of a guessed token was right.
    static func sameToken(_ given: String?, expected: String) -> Bool {
        let given = Array((given ?? "").utf8)
        let expected = Array(expected.utf8)
        var difference = UInt8(given.count == expected.count ? 0 : 1)
        for index in 0..<expected.count {
            difference |= expected[index] ^ (index < given.count ? given[index] : 0)
        }
        return difference == 0
    }
}
