/// A `<payment_response>`: the gateway's word on one transaction.
public struct GatewayTransaction: Sendable, Hashable {
    public var transactionType: String
    public var status: GatewayStatus
    public var uniqueID: String?
    public var transactionID: String?
    /// The gateway's code: 0 or absent when approved; an error code (e.g. 450 doublet) otherwise.
    public var code: Int?
    public var message: String?
    public var technicalMessage: String?
    /// The SEPA reason code of a decline or chargeback (`AM04`, `MD01`, …), when the gateway gives one.
    public var reasonCode: String?
    public var timestamp: String?
    public var amountMinor: Int64?
    public var currency: String?

    public init(
        transactionType: String, status: GatewayStatus, uniqueID: String? = nil, transactionID: String? = nil, code: Int? = nil,
        message: String? = nil, technicalMessage: String? = nil, reasonCode: String? = nil, timestamp: String? = nil,
        amountMinor: Int64? = nil, currency: String? = nil
    ) {
        self.transactionType = transactionType
        self.status = status
        self.uniqueID = uniqueID
        self.transactionID = transactionID
        self.code = code
        self.message = message
        self.technicalMessage = technicalMessage
        self.reasonCode = reasonCode
        self.timestamp = timestamp
        self.amountMinor = amountMinor
        self.currency = currency
    }

    /// Code 450: the gateway already has a transaction with this `transaction_id`.
    public var isDoublet: Bool { status == .error && code == 450 }
}
