/// An `sdd_sale` request: one SEPA direct-debit charge of `amountMinor` (100 = €1.00).
///
/// `transactionID` is deterministic per billing attempt, so a retry of the same attempt is the
/// same transaction to the gateway (which refuses a second one with code 450).
public struct SDDSale: Sendable, Hashable {
    public var transactionID: String
    public var usage: String
    public var remoteIP: String
    public var amountMinor: Int64
    public var currency: String
    public var iban: String
    public var bic: String?
    public var notificationURL: String?
    public var billingAddress: BillingAddress

    public init(
        transactionID: String, usage: String, remoteIP: String = "127.0.0.1", amountMinor: Int64, currency: String, iban: String,
        bic: String? = nil, notificationURL: String? = nil, billingAddress: BillingAddress
    ) {
        self.transactionID = transactionID
        self.usage = usage
        self.remoteIP = remoteIP
        self.amountMinor = amountMinor
        self.currency = currency
        self.iban = iban
        self.bic = bic
        self.notificationURL = notificationURL
        self.billingAddress = billingAddress
    }
}
