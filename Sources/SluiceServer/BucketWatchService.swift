import AsyncAlgorithms
import Logging
import PostgresNIO
import ServiceLifecycle
import SluiceCore
import SluiceJobs
import SluicePipeline
import SluicePostgres

/// Polls the watched buckets (for stores that cannot notify, like the local SeaweedFS) and
/// queues a `run` job for every object version not recorded before, the same way bucket
/// events do (`DropIntake`, arrival `poll`). Every node may poll; two nodes that find the same
/// new version queue one job.
public struct BucketWatchService: Service {
    let scanner: BucketScanner
    let database: PostgresClient
    let queue: JobQueue
    let interval: Duration
    let logger: Logger

    public init(scanner: BucketScanner, database: PostgresClient, queue: JobQueue, interval: Duration, logger: Logger) {
        self.scanner = scanner
        self.database = database
        self.queue = queue
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        for await _ in AsyncTimerSequence(interval: interval, clock: .continuous).cancelOnGracefulShutdown() {
            do {
                let queued = try await scanOnce()
                if queued > 0 { logger.info("bucket scan queued runs", metadata: ["runs": "\(queued)"]) }
            } catch {
                // A failed scan is tried again at the next tick; the store or database may be back.
                logger.warning("bucket scan failed", metadata: ["error": "\(String(reflecting: error))"])
            }
        }
    }

    /// One scan: queues the versions no one recorded yet; returns how many were new jobs.
    func scanOnce() async throws -> Int {
        let drops = try await scanner.scan()
        var queued = 0
        for (bucket, inBucket) in Dictionary(grouping: drops, by: \.bucket) {
            let fresh = try await database.withConnection { connection in
                try await ObjectLedger(connection: connection, logger: logger)
                    .unrecorded(bucket: bucket, versions: inBucket.map { ($0.key, $0.etag) })
            }
            let wanted = Set(fresh.map { $0.key + "\u{0}" + $0.etag })
            let intake = DropIntake(database: database, queue: queue, logger: logger)
            for drop in inBucket where wanted.contains(drop.key + "\u{0}" + drop.etag) {
                if try await intake.take(drop, arrival: .poll).inserted { queued += 1 }
            }
        }
        return queued
    }
}
