import Logging
import SluiceCore
import SluiceJobs

/// Runs `chargebacks.sync` jobs: syncs the chargebacks posted on the payload's days, through
/// the payload's terminal or every terminal billing has used. A chargeback learnt again
/// changes nothing, so a retried job is safe.
public struct ChargebackSyncJobHandler: JobHandler {
    public static let kind = "chargebacks.sync"
    public var kind: String { Self.kind }

    let reconciler: Reconciler
    let logger: Logger

    public init(reconciler: Reconciler, logger: Logger) {
        self.reconciler = reconciler
        self.logger = logger
    }

    public func run(_ job: ClaimedJob) async throws {
        try await DatedPassJob(reconciler: reconciler, logger: logger).run(job, kind: Self.kind) { terminal, range in
            try await reconciler.syncChargebacks(terminal: terminal, range: range)
        }
    }
}
