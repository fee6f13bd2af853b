import SluiceBilling

/// The parts of a billing attempt that observations read and change, as locked for the change.
public struct AttemptSnapshot: Sendable, Hashable {
    public var id: Int64
    public var status: AttemptStatus
    public var transactionID: String?
    public var uniqueID: String?
    public var amountMinor: Int64?
    /// 64 hex digits: how the blacklist names the IBAN.
    public var ibanHashHex: String
    public var ibanMasked: String?

    public init(
        id: Int64, status: AttemptStatus, transactionID: String?, uniqueID: String?, amountMinor: Int64?, ibanHashHex: String, ibanMasked: String?
    ) {
        self.id = id
        self.status = status
        self.transactionID = transactionID
        self.uniqueID = uniqueID
        self.amountMinor = amountMinor
        self.ibanHashHex = ibanHashHex
        self.ibanMasked = ibanMasked
    }
}
