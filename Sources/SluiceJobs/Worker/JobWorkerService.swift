import Foundation
import Logging
import ServiceLifecycle
import SluiceCore
import SluicePostgres
import Synchronization

/// Runs jobs: `concurrency` workers in one task group, each claiming one job at a time of the
/// kinds it has handlers for, heartbeating its lease while the handler runs; plus a listener
/// (in `listen` mode) and a rescuer that gives back jobs whose lease expired on any node.
///
/// On graceful shutdown it stops claiming, lets running jobs finish for up to
/// `shutdownGracePeriod`, then cancels the handlers still running and releases their jobs (back
/// to `available`, the attempt not counted), and returns. Nothing outlives `run()`.
///
/// ```swift
/// let workers = JobWorkerService(queue: queue, handlers: [LoadObject()], logger: logger)
/// let group = ServiceGroup(configuration: .init(
///     services: [.init(service: client), .init(service: workers)],   // the client first: it stops last
///     gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
/// try await group.run()
/// ```
public struct JobWorkerService: Service {
    public let queue: JobQueue
    public let configuration: JobWorkerConfiguration
    let handlers: [String: any JobHandler]
    let listenSource: any ConnectionSource
    let logger: Logger
    private let counters = Counters()

    /// What the service is doing, for metrics and tests.
    public struct Snapshot: Sendable, Hashable {
        /// Whether the `LISTEN` connection is up (always `false` in `poll` mode).
        public var listening = false
        /// Jobs whose handler is running now.
        public var running = 0
        public var completed = 0
        /// Attempts that threw (retried or dead).
        public var failed = 0
        /// Jobs given back unfinished at shutdown.
        public var released = 0
        /// Jobs whose lease was lost while they ran (rescued elsewhere or cancelled).
        public var leaseLost = 0
    }

    /// - Parameters:
    ///   - queue: where jobs come from.
    ///   - handlers: one per kind; a second handler for a kind replaces the first.
    ///   - listenOn: where the `LISTEN` connection comes from in `listen` mode: a direct
    ///     connection, never PgBouncer in transaction mode; the queue's source when `nil`.
    public init(
        queue: JobQueue, handlers: [any JobHandler], configuration: JobWorkerConfiguration = .init(),
        listenOn: (any ConnectionSource)? = nil, logger: Logger
    ) {
        self.queue = queue
        self.configuration = configuration
        self.handlers = Dictionary(handlers.map { ($0.kind, $0) }, uniquingKeysWith: { _, last in last })
        self.listenSource = listenOn ?? queue.source
        self.logger = logger
    }

    public var snapshot: Snapshot { counters.withLock { $0 } }

    public func run() async throws {
        let wake = WakeSignal()
        let stopping = WakeSignal()
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { background in
                if configuration.wakeups == .listen {
                    let listener = JobListener(source: listenSource, channel: queue.configuration.channel, kinds: Set(handlers.keys), logger: logger)
                    background.addTask {
                        await listener.run(waking: wake) { up in counters.withLock { $0.listening = up } }
                    }
                }
                background.addTask { await rescueExpiredJobs(until: stopping) }
                await withTaskGroup(of: Void.self) { workers in
                    for index in 0 ..< configuration.concurrency {
                        workers.addTask { await work(as: "\(configuration.owner)#\(index)", wake: wake, stopping: stopping) }
                    }
                }
                // Every worker has stopped: the listener and the rescuer go too.
                background.cancelAll()
            }
        } onGracefulShutdown: {
            stopping.close()
            wake.close()
        }
    }

    /// One worker: claim a job, run it, repeat; wait for a wake-up or the poll interval when there is none.
    private func work(as owner: String, wake: WakeSignal, stopping: WakeSignal) async {
        let kinds = handlers.keys.sorted()
        while !stopping.isClosed && !Task.isCancelled {
            let job: ClaimedJob?
            do {
                job = try await queue.claim(kinds: kinds, queues: configuration.queues, owner: owner, limit: 1, leaseTTL: configuration.leaseTTL).first
            } catch {
                guard !Task.isCancelled else { break }
                logger.warning("cannot claim jobs; trying again", metadata: ["owner": "\(owner)", "error": "\(String(reflecting: error))"])
                await stopping.wait(upTo: configuration.pollInterval)
                continue
            }
            guard let job, let handler = handlers[job.kind] else {
                await wake.wait(upTo: configuration.pollInterval)
                continue
            }
            // There may be more: let an idle worker look, so a burst spreads over the workers.
            wake.wakeOne()
            await process(job, with: handler, stopping: stopping)
        }
    }

    /// How a claimed job's run ended.
    private enum Ending: Sendable {
        case returned
        /// The handler stopped at a point another attempt continues from (`JobReleased`).
        case gaveBack(String)
        /// The handler threw `JobFailedPermanently`.
        case threwPermanently(String)
        case threw(String, cancelled: Bool)
        case leaseLost
        case outOfTime
    }

    /// Runs the handler while heartbeating, and stores what the state machine makes of its end.
    private func process(_ job: ClaimedJob, with handler: any JobHandler, stopping: WakeSignal) async {
        let metadata: Logger.Metadata = ["job": "\(job.id)", "kind": "\(job.kind)", "attempt": "\(job.attempt)"]
        counters.withLock { $0.running += 1 }
        defer { counters.withLock { $0.running -= 1 } }
        var machine = JobStateMachine(claimed: job, policy: queue.configuration.retryPolicy)
        let grace = configuration.shutdownGracePeriod
        await withTaskGroup(of: Ending?.self) { group in
            group.addTask {
                do {
                    try await handler.run(job)
                    return .returned
                } catch let released as JobReleased {
                    return .gaveBack(released.reason)
                } catch let permanent as JobFailedPermanently {
                    return .threwPermanently(permanent.reason)
                } catch {
                    return .threw(String(describing: error), cancelled: Task.isCancelled)
                }
            }
            group.addTask { await keepLease(of: job) }
            group.addTask {
                await stopping.wait()
                guard !Task.isCancelled else { return nil }
                try? await Task.sleep(for: grace)
                return Task.isCancelled ? nil : .outOfTime
            }
            // The first to end decides; the others end with nil once cancelled.
            var ending = Ending.leaseLost
            while let next = await group.next() {
                if let next {
                    ending = next
                    break
                }
            }
            group.cancelAll()

            let event: JobStateMachine.Event = switch ending {
            case .returned: .succeeded
            // The whole service was cancelled (not a graceful stop): give the job back.
            case .threw(_, cancelled: true) where Task.isCancelled: .released
            case .threw(let error, _): .failed(error: error)
            case .threwPermanently(let error): .failedPermanently(error: error)
            case .leaseLost: .heartbeat(ok: false)
            case .outOfTime, .gaveBack: .released
            }
            let action = machine.handle(event)
            // Stored before the group waits for a cancelled handler to unwind: the lease is then
            // already given back, and the handler's late writes are fenced.
            await store(action, for: job, metadata: metadata)
        }
    }

    /// Extends the job's lease every third of its TTL. Returns `.leaseLost` when a heartbeat
    /// finds the token gone, `nil` when cancelled. A heartbeat that fails (the database is away)
    /// is retried at the next beat: the lease may survive it.
    private func keepLease(of job: ClaimedJob) async -> Ending? {
        while true {
            do {
                try await Task.sleep(for: job.leaseTTL / 3)
            } catch {
                return nil
            }
            do {
                if try await !queue.heartbeat(job) { return .leaseLost }
            } catch {
                if Task.isCancelled { return nil }
                logger.warning("cannot extend a job's lease; trying again", metadata: [
                    "job": "\(job.id)", "error": "\(String(reflecting: error))",
                ])
            }
        }
    }

    private func store(_ action: JobStateMachine.Action, for job: ClaimedJob, metadata: Logger.Metadata) async {
        switch action {
        case .markCompleted: counters.withLock { $0.completed += 1 }
        case .scheduleRetry, .markDead: counters.withLock { $0.failed += 1 }
        case .release: counters.withLock { $0.released += 1 }
        case .stopWorking: counters.withLock { $0.leaseLost += 1 }
        case .startWorking, .keepWorking, .markCancelled, .none: break
        }
        switch action {
        case .stopWorking:
            logger.info("lost a job's lease while it ran; stopped it (another worker or an operator has it now)", metadata: metadata)
        case .scheduleRetry(let delay, _):
            logger.info("job failed; retrying later", metadata: metadata.merging(["retry_in": "\(delay)"]) { $1 })
        case .markDead:
            logger.warning("job failed on its last attempt; it is dead", metadata: metadata)
        case .release:
            logger.info("gave an unfinished job back", metadata: metadata)
        default:
            break
        }
        do {
            try await queue.perform(action, for: job)
        } catch let error as SluiceError where error.code == .leaseLost {
            logger.info("a job's outcome was refused: its lease is gone", metadata: metadata)
        } catch {
            // The lease runs out unrenewed and the job is rescued: at least once.
            logger.error("cannot store a job's outcome; it runs again after its lease expires", metadata: metadata.merging([
                "error": "\(String(reflecting: error))",
            ]) { $1 })
        }
    }

    /// Moves jobs whose lease expired back, now and every `rescueInterval`, until shutdown.
    private func rescueExpiredJobs(until stopping: WakeSignal) async {
        while !stopping.isClosed && !Task.isCancelled {
            do {
                let rescued = try await queue.rescueExpired()
                for job in rescued {
                    logger.warning("rescued a job whose lease expired", metadata: [
                        "job": "\(job.id)", "kind": "\(job.kind)", "state": "\(job.state.rawValue)", "former_owner": "\(job.formerOwner)",
                    ])
                }
            } catch {
                if Task.isCancelled { break }
                logger.warning("cannot rescue jobs whose lease expired", metadata: ["error": "\(String(reflecting: error))"])
            }
            if let retention = configuration.retention {
                do {
                    let now = Date()
                    let pruned = try await queue.prune(
                        completedBefore: now.addingTimeInterval(-retention.seconds), deadBefore: now.addingTimeInterval(-4 * retention.seconds))
                    if pruned > 0 { logger.info("pruned finished jobs", metadata: ["count": "\(pruned)"]) }
                } catch {
                    if Task.isCancelled { break }
                    logger.warning("cannot prune finished jobs", metadata: ["error": "\(String(reflecting: error))"])
                }
            }
            await stopping.wait(upTo: configuration.rescueInterval)
        }
    }
}

/// The service's snapshot behind a lock (a struct cannot hold a `Mutex` and stay copyable).
private final class Counters: Sendable {
    private let state = Mutex(JobWorkerService.Snapshot())

    func withLock<T: Sendable>(_ body: (inout JobWorkerService.Snapshot) -> T) -> T {
        state.withLock { body(&$0) }
    }
}
