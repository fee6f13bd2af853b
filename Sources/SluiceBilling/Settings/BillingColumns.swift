/// Which target-table column holds each value billing needs. A column the table lacks reads
/// as empty.
public struct BillingColumns: Sendable, Hashable, Codable {
    public var iban = "iban"
    public var amount = "amount"
    public var currency = "currency"
    public var firstName = "first_name"
    public var lastName = "last_name"
    public var bic = "bic"
    public var address = "address"
    public var postcode = "postcode"
    public var city = "city"
    public var country = "country"
    public var externalID = "external_id"

    public init() {}

    enum CodingKeys: String, CodingKey {
        case iban, amount, currency, bic, address, postcode, city, country
        case firstName = "first_name"
        case lastName = "last_name"
        case externalID = "external_id"
    }

    /// Points `role` (a key of `all`) at `column`; an unknown role changes nothing.
    public mutating func set(role: String, to column: String) {
        switch role {
        case "iban": iban = column
        case "amount": amount = column
        case "currency": currency = column
        case "first_name": firstName = column
        case "last_name": lastName = column
        case "bic": bic = column
        case "address": address = column
        case "postcode": postcode = column
        case "city": city = column
        case "country": country = column
        case "external_id": externalID = column
        default: break
        }
    }

    /// Role → column, in a fixed order.
    public var all: [(role: String, column: String)] {
        [("iban", iban), ("amount", amount), ("currency", currency), ("first_name", firstName), ("last_name", lastName), ("bic", bic),
         ("address", address), ("postcode", postcode), ("city", city), ("country", country), ("external_id", externalID)]
    }
}
