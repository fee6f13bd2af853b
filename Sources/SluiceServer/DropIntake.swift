import Foundation
import Logging
import PostgresNIO
import SluiceJobs
import SluicePipeline
import SluicePostgres

/// Where dropped objects become runs, whichever way they arrived (a bucket event, a polling
/// scan): one `run` job per object version, and the version recorded in `sluice.objects`.
///
/// The job's dedupe key is the pipeline, bucket, key and ETag, so the same version arriving
/// twice, by two ways or at two nodes, queues one job. The job comes first and the record
/// second: a crash between leaves a queued job whose version the next arrival records (its
/// enqueue finds the job by its key), never a lost drop.
struct DropIntake: Sendable {
    let database: PostgresClient
    let queue: JobQueue
    let logger: Logger

    /// The dedupe key that makes one version start one run of one pipeline.
    static func versionKey(_ drop: DroppedObject) -> String {
        "object:\(drop.pipeline):\(drop.bucket)/\(drop.key)@\(drop.etag)"
    }

    /// Queues the run of `drop` and records the version; the job, and whether it is new.
    /// `runID` names the run a new job will create (uploads answer with it).
    func take(_ drop: DroppedObject, arrival: ObjectLedger.Arrival, runID: UUID? = nil) async throws -> EnqueuedJob {
        let job = try await queue.enqueue(
            kind: RunJobHandler.kind, queue: RunJobPayload.queue(for: drop.pipeline),
            payload: RunJobPayload(pipeline: drop.pipeline, input: drop.uri, runID: runID),
            dedupeKey: Self.versionKey(drop))
        try await database.withConnection { connection in
            _ = try await ObjectLedger(connection: connection, logger: logger)
                .record(bucket: drop.bucket, key: drop.key, etag: drop.etag, size: drop.size, pipeline: drop.pipeline, arrival: arrival)
        }
        return job
    }
}
