import Foundation

/// One debtor as billing knows it, keyed by the SHA-256 of the IBAN (`sluice.debtor_profiles`).
public struct DebtorProfile: Sendable, Hashable {
    /// The model of the profile's first charge; later rows must match it.
    public var model: BillingModel
    /// No charge before this time (the cycle lock); `nil` when never locked.
    public var nextBillAt: Date?
    /// Approved charges plus attempts still open, in minor units: what counts against the cap.
    public var chargedMinor: Int64
    /// The attempt the profile waits on (planned, sent or pending at the gateway).
    public var openTransactionID: String?
    /// False after a chargeback.
    public var active: Bool

    public init(model: BillingModel, nextBillAt: Date? = nil, chargedMinor: Int64 = 0, openTransactionID: String? = nil, active: Bool = true) {
        self.model = model
        self.nextBillAt = nextBillAt
        self.chargedMinor = chargedMinor
        self.openTransactionID = openTransactionID
        self.active = active
    }
}
