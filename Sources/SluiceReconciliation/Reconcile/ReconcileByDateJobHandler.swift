import Logging
import SluiceCore
import SluiceJobs

/// Runs `reconcile.by_date` jobs: refreshes the payload's days of the payload's terminal, or
/// of every terminal billing has used. Applying is idempotent, so a job that fails (a
/// terminal's page could not be read) and runs again changes only what it had not applied.
public struct ReconcileByDateJobHandler: JobHandler {
    public static let kind = "reconcile.by_date"
    public var kind: String { Self.kind }

    let reconciler: Reconciler
    let logger: Logger

    public init(reconciler: Reconciler, logger: Logger) {
        self.reconciler = reconciler
        self.logger = logger
    }

    public func run(_ job: ClaimedJob) async throws {
        try await DatedPassJob(reconciler: reconciler, logger: logger).run(job, kind: Self.kind) { terminal, range in
            try await reconciler.refreshByDate(terminal: terminal, range: range)
        }
    }
}
