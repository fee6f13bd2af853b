/// What a column means to the `validate` stage. Each role's rules apply to the column of the
/// same canonical name, unless `ValidationRules.columnNames` maps it to another.
public enum ValidationRole: String, Sendable, Hashable, Codable, CaseIterable {
    case iban
    case bic
    case amount
    case currency
    case firstName = "first_name"
    case lastName = "last_name"
    /// A full name, split into first and last name when those are missing.
    case name
    case email
    case mandateDate = "mandate_date"
    case birthDate = "birth_date"
    case country
    case creditorId = "creditor_id"

    /// How messages name the field, e.g. `First name`.
    public var label: String {
        switch self {
        case .iban: "IBAN"
        case .bic: "BIC"
        case .amount: "Amount"
        case .currency: "Currency"
        case .firstName: "First name"
        case .lastName: "Last name"
        case .name: "Name"
        case .email: "Email"
        case .mandateDate: "Mandate date"
        case .birthDate: "Birth date"
        case .country: "Country"
        case .creditorId: "Creditor identifier"
        }
    }
}
