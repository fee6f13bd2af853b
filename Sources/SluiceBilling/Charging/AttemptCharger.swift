import Foundation
import Logging
import SluiceCore
import SluiceGenesis
import SluiceStages

/// Charges attempts through the gateway, one attempt at a time per call, by stepping an
/// `AttemptStateMachine`: mark sending (committed before the request leaves), send, and on an
/// unknown outcome reconcile by `transaction_id` before anything is sent again. The answer is
/// returned, not recorded: the caller records answers in batches. One lost in a crash before
/// it is recorded leaves the attempt `sending`, which the next try reconciles.
public struct AttemptCharger: Sendable {
    /// How one attempt ended for this worker.
    public enum Result: Sendable {
        /// The gateway's word on it, for the caller to record (in batches: `BillingStore.settle`).
        case answered(BillingStore.Answer)
        /// Still unanswered (sending); reconciled on the next try of the job.
        case deferred(String)
        /// Another worker answered it first.
        case takenElsewhere
    }

    let runID: UUID
    let settings: BillingSettings
    let gateway: any PaymentGateway
    let gatewayGuard: GatewayGuard
    let store: BillingStore
    let metrics: BillingMetrics
    let logger: Logger

    public init(
        runID: UUID, settings: BillingSettings, gateway: any PaymentGateway, gatewayGuard: GatewayGuard, store: BillingStore,
        metrics: BillingMetrics = BillingMetrics(), logger: Logger
    ) {
        self.runID = runID
        self.settings = settings
        self.gateway = gateway
        self.gatewayGuard = gatewayGuard
        self.store = store
        self.metrics = metrics
        self.logger = logger
    }

    public func charge(_ attempt: PlannedAttempt) async throws -> Result {
        var machine = AttemptStateMachine(status: attempt.status, saleRequests: attempt.saleRequests, maxSaleRequests: settings.maxSaleRequests)
        var answer: GatewayTransaction?
        var action = machine.begin()
        while true {
            switch action {
            case .send:
                do {
                    // Recorded `sending` once the guard lets the call out, just before it goes:
                    // a crash after this point leaves an attempt the next try reconciles.
                    let transaction = try await call {
                        guard try await store.markSending(attempt.id) != nil else { throw TakenElsewhere() }
                        return try await timed("sale") { try await gateway.sale(attempt.sale) }
                    }
                    answer = transaction
                    action = machine.saleAnswered(transaction)
                } catch is TakenElsewhere {
                    return .takenElsewhere
                } catch let error as GatewayError {
                    logger.warning("sale without an answer", metadata: metadata(attempt, error))
                    action = machine.saleFailed(error)
                }
            case .reconcile:
                try await store.noteReconcile(attempt.id)
                do {
                    let transaction = try await call { try await timed("reconcile") { try await gateway.reconcile(.transactionID(attempt.sale.transactionID)) } }
                    answer = transaction
                    action = machine.reconciled(transaction)
                } catch let error as GatewayError {
                    logger.warning("reconcile failed", metadata: metadata(attempt, error))
                    action = machine.reconcileFailed(error)
                }
            case .settle(let status):
                return .answered(BillingStore.Answer(attemptID: attempt.id, status: status, transaction: answer))
            case .deferAttempt(let reason):
                return .deferred(reason)
            }
        }
    }

    /// One gateway call through the guard; a thrown `GatewayError` counts against the breaker,
    /// an answer (even a decline) for it.
    private func call<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        try await gatewayGuard.admit(
            onPause: { [store, runID, logger] retryAfter in
                logger.warning("billing paused: the gateway's circuit breaker is open", metadata: [
                    "terminal": "\(settings.terminal)", "retry_after_s": "\(retryAfter.components.seconds)",
                ])
                try? await store.setPaused(runID, reason: "the gateway failed repeatedly; the circuit breaker is open",
                                           until: Date().addingTimeInterval(retryAfter.inSeconds))
            },
            onResume: { [store, runID] in try? await store.setPaused(runID, reason: nil, until: nil) }
        ) {
            try await body()
        }
    }

    /// `body`, with its duration in the gateway latency metric.
    private func timed<T: Sendable>(_ endpoint: String, _ body: () async throws -> T) async throws -> T {
        let started = ContinuousClock.now
        defer { metrics.call(endpoint, seconds: (ContinuousClock.now - started).inSeconds) }
        return try await body()
    }

    /// Another worker answered the attempt before this one could send it.
    private struct TakenElsewhere: Error {}

    private func metadata(_ attempt: PlannedAttempt, _ error: GatewayError) -> Logger.Metadata {
        ["run": "\(runID)", "transaction_id": "\(attempt.sale.transactionID)", "iban": "\(IBANMask.mask(attempt.sale.iban))", "error": "\(error)"]
    }
}
