/// Which stored notifications a listing shows; every field left `nil` matches all.
public struct NotificationFilter: Sendable, Hashable {
    /// The gateway's `status` field.
    public var status: String?
    /// `ObservationOutcome`'s raw value, or `pending` for those not processed yet.
    public var outcome: String?
    /// `false`: only those whose signature failed; `true`: only signed ones.
    public var signatureOK: Bool?
    public var terminal: String?
    public var uniqueID: String?

    public init(status: String? = nil, outcome: String? = nil, signatureOK: Bool? = nil, terminal: String? = nil, uniqueID: String? = nil) {
        self.status = status
        self.outcome = outcome
        self.signatureOK = signatureOK
        self.terminal = terminal
        self.uniqueID = uniqueID
    }
}
