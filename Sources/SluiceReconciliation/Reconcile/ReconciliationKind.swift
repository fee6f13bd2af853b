/// The reconciliations an operator or the scheduler can queue, and their job kinds.
public enum ReconciliationKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// Poll the pending attempts due (`reconcile.pending`).
    case pending
    /// Refresh a date range of transactions (`reconcile.by_date`).
    case byDate = "by_date"
    /// Sync a date range of chargebacks (`chargebacks.sync`).
    case chargebacks

    /// The kind of its job in `sluice.jobs`.
    public var jobKind: String {
        switch self {
        case .pending: ReconcilePendingJobHandler.kind
        case .byDate: ReconcileByDateJobHandler.kind
        case .chargebacks: ChargebackSyncJobHandler.kind
        }
    }

    /// Whether its job needs a date range.
    public var needsDates: Bool { self != .pending }
}
