import Foundation
import Logging
import SluiceCore
import SluiceGenesis
import SluiceJobs
import SluicePostgres

/// Runs `billing` jobs: decides every row of a run handed to billing and charges the attempts.
///
/// A job runs at least once, and this is safe to run again at any point:
/// 1. attempts left open by an earlier try (a node that died, a call that went unanswered) are
///    settled first, a `sending` one by reconciling before anything is sent again;
/// 2. rows after the planning checkpoint are decided a chunk at a time, each chunk committed
///    with its checkpoint, and its attempts charged before the next chunk;
/// 3. the billing completes when no attempt is left open. Attempts still unanswered (the
///    gateway away) fail the job's try, which the queue retries with backoff.
public struct BillingJobHandler: JobHandler {
    public static let kind = BillingHandOff.jobKind
    public var kind: String { Self.kind }

    /// Makes the gateway client of a billing's terminal.
    public typealias GatewayFactory = @Sendable (BillingSettings) throws -> any PaymentGateway

    let store: BillingStore
    let makeGateway: GatewayFactory
    let guards: GatewayGuards
    let metrics: BillingMetrics
    let chunkSize: Int
    let logger: Logger

    public init(
        store: BillingStore, makeGateway: @escaping GatewayFactory, guards: GatewayGuards = GatewayGuards(), metrics: BillingMetrics = BillingMetrics(),
        chunkSize: Int = 1000, logger: Logger
    ) {
        self.store = store
        self.makeGateway = makeGateway
        self.guards = guards
        self.metrics = metrics
        self.chunkSize = max(chunkSize, 1)
        self.logger = logger
    }

    public func run(_ job: ClaimedJob) async throws {
        let payload = try job.decodePayload(as: BillingJobPayload.self)
        var logger = self.logger
        logger[metadataKey: "job"] = "\(job.id)"
        logger[metadataKey: "run"] = "\(payload.runID)"
        guard let record = try await store.billingRun(payload.runID) else {
            throw JobFailedPermanently("run \(payload.runID) was never handed to billing")
        }
        guard record.state != .completed else { return }
        let gateway: any PaymentGateway
        do {
            gateway = try makeGateway(record.settings)
        } catch {
            throw JobFailedPermanently("billing of run \(payload.runID) cannot reach its gateway: \(error)")
        }
        let outcome = try await bill(record, gateway: gateway, logger: logger)
        logger.info("billing pass ended", metadata: [
            "settled": "\(outcome.settled)", "skipped": "\(outcome.skipped)", "deferred": "\(outcome.deferred)",
        ])
        guard outcome.deferred == 0 else {
            throw SluiceError(.gateway, "\(outcome.deferred) attempts of run \(payload.runID) have no answer from the gateway yet; they are reconciled on the next try", stage: .billing)
        }
    }

    /// What one pass did.
    public struct Outcome: Sendable, Hashable {
        public var settled = 0
        public var skipped = 0
        public var deferred = 0
        public var byStatus: [AttemptStatus: Int] = [:]
    }

    /// One pass over the billing of `record`; completes it when nothing is left open.
    public func bill(_ record: BillingRunRecord, gateway: any PaymentGateway, logger: Logger) async throws -> Outcome {
        try await store.markStarted(record.runID)
        let charger = AttemptCharger(
            runID: record.runID, settings: record.settings, gateway: gateway, gatewayGuard: guards.guardFor(record.settings), store: store,
            metrics: metrics, logger: logger)
        var outcome = Outcome()
        let leftOpen = try await store.openAttempts(of: record)
        if !leftOpen.isEmpty { logger.info("settling attempts left open", metadata: ["attempts": "\(leftOpen.count)"]) }
        try await chargeAll(leftOpen, with: charger, maxInFlight: record.settings.maxInFlight, into: &outcome)
        if record.state == .planning {
            var last = record.plannedThroughLine
            try await store.forEachCandidateChunk(of: record, afterLine: last, chunkSize: chunkSize) { chunk in
                let planned = try await store.plan(chunk, of: record, after: last, now: Date())
                last = chunk.last?.sourceLine ?? last
                for (reason, count) in planned.skips {
                    metrics.skipped(reason, count: count)
                    outcome.skipped += count
                }
                try await chargeAll(planned.attempts, with: charger, maxInFlight: record.settings.maxInFlight, into: &outcome)
            }
            try await store.markPlanned(record.runID)
        }
        // Complete only when the database agrees that nothing is open: an attempt this pass
        // could not even build a sale for (its row gone from the target table) keeps it open.
        let open = try await store.openAttemptCount(of: record.runID)
        if open > 0, outcome.deferred == 0 {
            logger.warning("attempts still open after a pass", metadata: ["attempts": "\(open)"])
            outcome.deferred = open
        }
        if outcome.deferred == 0 { try await store.markCompleted(record.runID) }
        return outcome
    }

    /// Answers recorded in one statement: fewer round trips per attempt, and a crash loses at
    /// most these (their attempts stay `sending` and are reconciled).
    static let settleBatch = 64

    /// Charges `attempts` with at most `maxInFlight` at once, in one task group, recording the
    /// answers `settleBatch` at a time.
    func chargeAll(_ attempts: [PlannedAttempt], with charger: AttemptCharger, maxInFlight: Int, into outcome: inout Outcome) async throws {
        guard !attempts.isEmpty else { return }
        var answers: [BillingStore.Answer] = []
        try await withThrowingTaskGroup(of: AttemptCharger.Result.self) { group in
            var next = attempts.makeIterator()
            var running = 0
            while running < maxInFlight, let attempt = next.next() {
                group.addTask { try await charger.charge(attempt) }
                running += 1
            }
            while let result = try await group.next() {
                switch result {
                case .answered(let answer):
                    answers.append(answer)
                case .deferred:
                    outcome.deferred += 1
                case .takenElsewhere:
                    break
                }
                if answers.count >= Self.settleBatch {
                    try await record(answers, into: &outcome)
                    answers.removeAll(keepingCapacity: true)
                }
                if let attempt = next.next() {
                    group.addTask { try await charger.charge(attempt) }
                }
            }
        }
        try await record(answers, into: &outcome)
    }

    private func record(_ answers: [BillingStore.Answer], into outcome: inout Outcome) async throws {
        guard !answers.isEmpty else { return }
        let settled = try await store.settle(answers)
        for answer in answers where settled.contains(answer.attemptID) {
            metrics.attempt(answer.status)
            outcome.settled += 1
            outcome.byStatus[answer.status, default: 0] += 1
        }
    }
}
