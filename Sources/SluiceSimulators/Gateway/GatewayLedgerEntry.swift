import SluiceGenesis

/// One transaction in the simulator's ledger, as `GET /_sim/ledger` shows it. The IBAN is masked.
public struct GatewayLedgerEntry: Sendable, Hashable, Codable {
    public var transactionID: String
    public var uniqueID: String
    public var terminal: String
    /// `sdd_sale` or `void`.
    public var transactionType: String
    public var amountMinor: Int64
    public var currency: String
    /// `DE89**************3000`; empty for a void.
    public var ibanMasked: String
    /// The status now: a pending_async sale settles, an approved one may be voided or charged back.
    public var status: GatewayStatus
    /// The gateway code of an error or a decline (340, 510, …).
    public var code: Int?
    /// The SEPA reason code of a decline or a chargeback.
    public var reasonCode: String?
    /// The `unique_id` a void names.
    public var referenceUniqueID: String?
    /// Sale requests naming this `transaction_id`: the first plus every doublet.
    public var saleRequests: Int
    /// Charges made for this `transaction_id`: 1 for a sale the bank was asked to collect
    /// (approved, declined or pending), 0 for an error or a void. Never more than 1.
    public var charges: Int
    /// `yyyy-MM-ddTHH:mm:ss.SSSZ`, UTC.
    public var createdAt: String
    public var notificationsSent: Int
    public var notificationsAcknowledged: Int

    /// Sale requests after the first that named this `transaction_id`, all refused as doublets.
    public var duplicateRequests: Int

    enum CodingKeys: String, CodingKey {
        case transactionID = "transaction_id"
        case uniqueID = "unique_id"
        case terminal
        case transactionType = "transaction_type"
        case amountMinor = "amount"
        case currency
        case ibanMasked = "iban_masked"
        case status
        case code
        case reasonCode = "reason_code"
        case referenceUniqueID = "reference_id"
        case saleRequests = "sale_requests"
        case duplicateRequests = "duplicate_requests"
        case charges
        case createdAt = "created_at"
        case notificationsSent = "notifications_sent"
        case notificationsAcknowledged = "notifications_acknowledged"
    }

    public init(
        transactionID: String, uniqueID: String, terminal: String, transactionType: String, amountMinor: Int64, currency: String,
        ibanMasked: String, status: GatewayStatus, code: Int? = nil, reasonCode: String? = nil, referenceUniqueID: String? = nil,
        saleRequests: Int, charges: Int, createdAt: String, notificationsSent: Int = 0, notificationsAcknowledged: Int = 0
    ) {
        self.transactionID = transactionID
        self.uniqueID = uniqueID
        self.terminal = terminal
        self.transactionType = transactionType
        self.amountMinor = amountMinor
        self.currency = currency
        self.ibanMasked = ibanMasked
        self.status = status
        self.code = code
        self.reasonCode = reasonCode
        self.referenceUniqueID = referenceUniqueID
        self.saleRequests = saleRequests
        self.duplicateRequests = max(saleRequests - 1, 0)
        self.charges = charges
        self.createdAt = createdAt
        self.notificationsSent = notificationsSent
        self.notificationsAcknowledged = notificationsAcknowledged
    }
}

/// The body of `GET /_sim/ledger`.
public struct GatewayLedgerSnapshot: Sendable, Hashable, Codable {
    public var entries: [GatewayLedgerEntry]

    public init(entries: [GatewayLedgerEntry]) {
        self.entries = entries
    }
}
