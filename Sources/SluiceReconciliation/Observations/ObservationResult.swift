/// What became of one observation, and which attempt it was about.
public struct ObservationResult: Sendable, Hashable {
    public var outcome: ObservationOutcome
    public var attemptID: Int64?
    /// Why, for an outcome other than `applied` (shown to operators).
    public var detail: String

    public init(outcome: ObservationOutcome, attemptID: Int64?, detail: String = "") {
        self.outcome = outcome
        self.attemptID = attemptID
        self.detail = detail
    }
}
