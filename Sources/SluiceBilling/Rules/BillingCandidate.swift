import Foundation

/// A loaded row offered to billing, read from the run's target table.
public struct BillingCandidate: Sendable, Hashable {
    public var sourceLine: Int64
    /// The IBAN, normalised (upper case, no spaces); `nil` when the row has none.
    public var iban: String?
    /// The SHA-256 of `iban`, 32 bytes.
    public var ibanHash: [UInt8]
    public var amountMinor: Int64?
    public var currency: String?
    public var firstName: String?
    public var lastName: String?
    public var bic: String?
    public var address: String?
    public var postcode: String?
    public var city: String?
    /// ISO 3166 alpha-2; the IBAN's country when the row names none.
    public var country: String?
    public var externalID: String?
    /// The row carries a review flag (a close-match payee, say).
    public var flagged: Bool

    public init(
        sourceLine: Int64, iban: String?, ibanHash: [UInt8], amountMinor: Int64?, currency: String? = nil, firstName: String?, lastName: String?,
        bic: String? = nil, address: String? = nil, postcode: String? = nil, city: String? = nil, country: String?, externalID: String? = nil,
        flagged: Bool = false
    ) {
        self.sourceLine = sourceLine
        self.iban = iban
        self.ibanHash = ibanHash
        self.amountMinor = amountMinor
        self.currency = currency
        self.firstName = firstName
        self.lastName = lastName
        self.bic = bic
        self.address = address
        self.postcode = postcode
        self.city = city
        self.country = country
        self.externalID = externalID
        self.flagged = flagged
    }
}
