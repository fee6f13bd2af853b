import SluiceBilling

/// What reconciling one attempt found: its status before and after, what became of the
/// gateway's word (`unknown_transaction` when the gateway has no such transaction) and why.
public struct AttemptReconcileResult: Sendable, Hashable, Codable {
    public var attemptID: Int64
    public var previousStatus: AttemptStatus
    public var status: AttemptStatus
    public var outcome: ObservationOutcome
    /// The status the gateway told (`pending_async`, `approved`, …); `nil` when it had none.
    public var gatewayStatus: String?
    public var detail: String
    /// Reconciles of this attempt so far, this one included.
    public var reconcileTries: Int

    public init(
        attemptID: Int64, previousStatus: AttemptStatus, status: AttemptStatus, outcome: ObservationOutcome, gatewayStatus: String?,
        detail: String, reconcileTries: Int
    ) {
        self.attemptID = attemptID
        self.previousStatus = previousStatus
        self.status = status
        self.outcome = outcome
        self.gatewayStatus = gatewayStatus
        self.detail = detail
        self.reconcileTries = reconcileTries
    }

    enum CodingKeys: String, CodingKey {
        case status, outcome, detail
        case attemptID = "attempt_id"
        case previousStatus = "previous_status"
        case gatewayStatus = "gateway_status"
        case reconcileTries = "reconcile_tries"
    }

    /// One line for the CLI.
    public var text: String {
        let change = previousStatus == status ? status.rawValue : "\(previousStatus.rawValue) → \(status.rawValue)"
        return "attempt \(attemptID): \(change) (\(outcome.rawValue)\(detail.isEmpty ? "" : ": \(detail)")), \(reconcileTries) reconcile tries"
    }
}
