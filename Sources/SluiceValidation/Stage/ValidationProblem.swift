import SluiceCore

/// One failed rule of one row, recorded while the stage reads the arena and turned into a
/// `Rejection` (with its message) only afterwards, so that clean rows never build a String.
struct ValidationProblem {
    enum Kind {
        case required(ValidationRole)
        case iban(IBANResult)
        case ibanNotSEPA(IBANResult)
        case bic(BICResult)
        case bicCountryMismatch
        case creditorId(CreditorIdentifierValidator.Problem)
        case nameRequired(missingFirst: Bool, missingLast: Bool)
        case nameTooLong(ValidationRole, limit: Int)
        case nameInvalidCharacters(ValidationRole)
        /// A flag, not a rejection: the name was rewritten into the SEPA character set.
        case nameNormalised(ValidationRole)
        case amountFormat(ambiguous: Bool)
        case amountMin
        case amountMax
        case currencyUnsupported
        case currencyMismatch
        case dateInvalid(ValidationRole)
        case dateFuture(ValidationRole)
        case emailFormat
        case encodingBroken(label: Int)
    }

    var row: Int32
    /// Index of the column in the batch's value table.
    var column: Int32
    var kind: Kind

    /// The reason code and message, built for rejected rows only.
    func reason(rules: ValidationRules, labels: [String]) -> (ReasonCode, String) {
        switch kind {
        case .required(let role):
            return (.required(column: role.rawValue), "\(role.label) is required")
        case .iban(let result):
            return (result.code ?? .ibanStructure, result.message)
        case .ibanNotSEPA(let result):
            return (.ibanNotSEPA, "Country \(result.countryCode ?? "??") is not in SEPA zone")
        case .bic(let result):
            return (.bicFormat, result.message)
        case .bicCountryMismatch:
            return (.bicCountryMismatch, "BIC country does not match the IBAN country")
        case .creditorId(let problem):
            return (problem.code ?? .creditorIdFormat, problem.message)
        case .nameRequired(let missingFirst, let missingLast):
            let which = missingFirst && missingLast ? "Name" : missingFirst ? "First name" : "Last name"
            return (.nameRequired, "\(which) is required")
        case .nameTooLong(let role, let limit):
            return (.nameTooLong, "\(role.label) cannot exceed \(limit) characters")
        case .nameInvalidCharacters(let role):
            return (.nameInvalidCharacters, "\(role.label) contains invalid characters (letters, spaces, apostrophes, hyphens and dots only)")
        case .nameNormalised(let role):
            return (.normalised(role), "\(role.label) had characters outside the SEPA character set; they were removed (the original is in the raw record)")
        case .amountFormat(let ambiguous):
            if ambiguous {
                return (.amountFormat, "Amount format is ambiguous: one separator followed by three digits, as in 1,234")
            }
            return (.amountFormat, "Amount format is invalid")
        case .amountMin:
            return (.amountMin, "Amount must be at least \(Self.format(cents: rules.minimumAmountCents, alwaysDecimals: true))")
        case .amountMax:
            return (.amountMax, "Amount exceeds maximum limit (\(Self.format(cents: rules.maximumAmountCents, alwaysDecimals: false)))")
        case .currencyUnsupported:
            return (.currencyUnsupported, "Currency is not supported (accepted: \(rules.currencies.joined(separator: ", ")))")
        case .currencyMismatch:
            return (.currencyMismatch, "Amount currency symbol does not match the currency column")
        case .dateInvalid(let role):
            return (.dateInvalid, "\(role.label) is not a valid date")
        case .dateFuture(let role):
            return (.dateFuture, "\(role.label) cannot be in the future")
        case .emailFormat:
            return (.emailFormat, "Email format is invalid")
        case .encodingBroken(let label):
            return (.encodingBroken, "\(labels[label]) contains encoding issues (broken characters)")
        }
    }

    /// `10` → `0.10`; `5000000` → `50,000` (decimals only when not whole, or when asked).
    static func format(cents: Int64, alwaysDecimals: Bool) -> String {
        let negative = cents < 0
        let magnitude = cents.magnitude
        let whole = String(magnitude / 100)
        var grouped = ""
        for (offset, character) in whole.enumerated() {
            if offset > 0 && (whole.count - offset) % 3 == 0 { grouped.append(",") }
            grouped.append(character)
        }
        let fraction = magnitude % 100
        let decimals = alwaysDecimals || fraction != 0 ? "." + (fraction < 10 ? "0" : "") + String(fraction) : ""
        return (negative ? "-" : "") + grouped + decimals
    }
}
