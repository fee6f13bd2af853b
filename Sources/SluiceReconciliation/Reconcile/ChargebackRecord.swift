import Foundation

/// One charged-back transaction (`sluice.chargebacks`), whichever way it was learnt.
public struct ChargebackRecord: Sendable, Hashable, Codable {
    public var id: Int64
    /// The gateway's `unique_id` of the charged-back transaction.
    public var uniqueID: String
    /// `nil` while no billing attempt has that transaction.
    public var attemptID: Int64?
    public var reasonCode: String
    public var reasonDescription: String
    public var amountMinor: Int64?
    public var currency: String?
    /// `ChangeSource` raw value of the way it was first learnt.
    public var source: String
    /// The IBAN went on the blacklist (the code is in the policy's list).
    public var blacklisted: Bool
    public var reversedAt: Date?
    public var createdAt: Date
    /// The attempt's masked IBAN, when there is an attempt.
    public var ibanMasked: String?

    public init(
        id: Int64, uniqueID: String, attemptID: Int64?, reasonCode: String, reasonDescription: String, amountMinor: Int64?, currency: String?,
        source: String, blacklisted: Bool, reversedAt: Date?, createdAt: Date, ibanMasked: String?
    ) {
        self.id = id
        self.uniqueID = uniqueID
        self.attemptID = attemptID
        self.reasonCode = reasonCode
        self.reasonDescription = reasonDescription
        self.amountMinor = amountMinor
        self.currency = currency
        self.source = source
        self.blacklisted = blacklisted
        self.reversedAt = reversedAt
        self.createdAt = createdAt
        self.ibanMasked = ibanMasked
    }

    enum CodingKeys: String, CodingKey {
        case id, currency, source, blacklisted
        case uniqueID = "unique_id"
        case attemptID = "attempt_id"
        case reasonCode = "reason_code"
        case reasonDescription = "reason_description"
        case amountMinor = "amount_minor"
        case reversedAt = "reversed_at"
        case createdAt = "created_at"
        case ibanMasked = "iban_masked"
    }
}
