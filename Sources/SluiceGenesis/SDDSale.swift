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

/// The debtor's `billing_address` in a sale; Genesis requires first and last name and country.
public struct BillingAddress: Sendable, Hashable {
    public var firstName: String
    public var lastName: String
    public var address1: String?
    public var zipCode: String?
    public var city: String?
    /// ISO 3166 alpha-2.
    public var country: String

    public init(firstName: String, lastName: String, address1: String? = nil, zipCode: String? = nil, city: String? = nil, country: String) {
        self.firstName = firstName
        self.lastName = lastName
        self.address1 = address1
        self.zipCode = zipCode
        self.city = city
        self.country = country
    }
}

/// Names one transaction for `reconcile`.
public enum TransactionReference: Sendable, Hashable {
    case uniqueID(String)
    case transactionID(String)
}

/// A date range for the by-date endpoints, as the gateway writes dates: `yyyy-MM-dd`.
public struct GatewayDateRange: Sendable, Hashable {
    public var startDate: String
    public var endDate: String

    public init(startDate: String, endDate: String) {
        self.startDate = startDate
        self.endDate = endDate
    }
}

/// One page of a paged by-date answer (`<payment_responses page=… pages_count=…>`).
public struct GatewayPage<Item: Sendable & Hashable>: Sendable, Hashable {
    public var items: [Item]
    public var page: Int
    public var pagesCount: Int
    public var perPage: Int
    public var totalCount: Int

    public init(items: [Item], page: Int, pagesCount: Int, perPage: Int, totalCount: Int) {
        self.items = items
        self.page = page
        self.pagesCount = pagesCount
        self.perPage = perPage
        self.totalCount = totalCount
    }

    public var isLast: Bool { page >= pagesCount }
}
