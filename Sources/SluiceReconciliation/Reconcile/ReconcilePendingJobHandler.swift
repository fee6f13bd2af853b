import Logging
import SluiceJobs

/// Runs `reconcile.pending` jobs: one pending pass (`Reconciler.reconcilePending`), of the
/// payload's terminal or of all. Failed gateway calls do not fail the job: those attempts are
/// polled again by the next pass.
public struct ReconcilePendingJobHandler: JobHandler {
    public static let kind = "reconcile.pending"
    public var kind: String { Self.kind }

    let reconciler: Reconciler
    let logger: Logger

    public init(reconciler: Reconciler, logger: Logger) {
        self.reconciler = reconciler
        self.logger = logger
    }

    public func run(_ job: ClaimedJob) async throws {
        let payload = try ReconciliationJobPayload.decode(job)
        let summary = try await reconciler.reconcilePending(terminal: payload.terminal)
        logger.info("reconcile.pending done", metadata: ["job": "\(job.id)", "summary": "\(summary.text)"])
    }
}
