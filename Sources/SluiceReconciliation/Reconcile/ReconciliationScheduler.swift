import Foundation
import Logging
import ServiceLifecycle
import SluiceJobs

/// Queues the reconciliation jobs on time: every tick, each schedule's job for the current
/// period, under the dedupe key `"<kind>:<period index>"`. Every node may run it: the key makes
/// the second and later enqueues of a period return the first job, so each period's job runs
/// once across the cluster, on whichever node's worker claims it. Stops at graceful shutdown.
///
/// ```swift
/// let scheduler = ReconciliationScheduler(queue: queue, settings: settings, logger: logger)
/// let group = ServiceGroup(services: [workers, scheduler], …)
/// ```
public struct ReconciliationScheduler: Service {
    let queue: JobQueue
    public let schedules: [ReconciliationSchedule]
    let tickInterval: Duration
    let logger: Logger

    public init(queue: JobQueue, schedules: [ReconciliationSchedule], tick: Duration = .seconds(30), logger: Logger) {
        self.queue = queue
        self.schedules = schedules
        self.tickInterval = tick
        self.logger = logger
    }

    /// The standard schedules of `settings`, ticking every `settings.schedulerTick`.
    public init(queue: JobQueue, settings: ReconciliationSettings, logger: Logger) {
        self.init(queue: queue, schedules: ReconciliationSchedule.standard(settings), tick: settings.schedulerTick, logger: logger)
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            // The periods this node already saw queued: no statement per tick in between.
            var queued: [String: Int64] = [:]
            while !Task.isCancelled {
                let now = Date()
                for schedule in schedules {
                    let index = schedule.period.index(at: now)
                    guard queued[schedule.name] != index else { continue }
                    do {
                        _ = try await enqueue(schedule, at: now)
                        queued[schedule.name] = index
                    } catch {
                        if Task.isCancelled { break }
                        // Tried again at the next tick; the database may be back.
                        logger.warning("cannot queue a reconciliation job", metadata: ["kind": "\(schedule.kind)", "error": "\(String(reflecting: error))"])
                    }
                }
                try? await Task.sleep(for: tickInterval)
            }
        }
    }

    /// Queues each schedule's job for the period of `now` (the job already queued for it when
    /// there is one) and returns them in schedule order.
    @discardableResult
    public func tick(now: Date = Date()) async throws -> [EnqueuedJob] {
        var jobs: [EnqueuedJob] = []
        for schedule in schedules { jobs.append(try await enqueue(schedule, at: now)) }
        return jobs
    }

    private func enqueue(_ schedule: ReconciliationSchedule, at now: Date) async throws -> EnqueuedJob {
        let job = try await queue.enqueue(
            kind: schedule.kind, payload: schedule.payload(at: now), maxAttempts: schedule.maxAttempts, dedupeKey: schedule.dedupeKey(at: now))
        if job.inserted {
            logger.info("reconciliation job queued", metadata: ["kind": "\(schedule.kind)", "job": "\(job.id)", "key": "\(schedule.dedupeKey(at: now))"])
        }
        return job
    }
}
