/// One item of `chargebacks/by_date`.
public struct GatewayChargeback: Sendable, Hashable {
    public var originalTransactionUniqueID: String
    public var reasonCode: String
    public var reasonDescription: String?
    public var amountMinor: Int64?
    public var currency: String?
    public var type: String?
    /// `yyyy-MM-dd`.
    public var postDate: String?

    public init(
        originalTransactionUniqueID: String, reasonCode: String, reasonDescription: String? = nil, amountMinor: Int64? = nil,
        currency: String? = nil, type: String? = nil, postDate: String? = nil
    ) {
        self.originalTransactionUniqueID = originalTransactionUniqueID
        self.reasonCode = reasonCode
        self.reasonDescription = reasonDescription
        self.amountMinor = amountMinor
        self.currency = currency
        self.type = type
        self.postDate = postDate
    }
}
