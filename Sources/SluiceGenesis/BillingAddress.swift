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
