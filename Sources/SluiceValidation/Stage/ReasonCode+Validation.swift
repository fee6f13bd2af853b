import SluiceCore

/// Reason codes of the `validate` stage. They are stable: reports and counters key on them.
extension ReasonCode {
    /// The IBAN is empty (the column mapper reports it first when the column is required).
    public static let ibanRequired: ReasonCode = "iban.required"
    /// The IBAN's length differs from its country's.
    public static let ibanLength: ReasonCode = "iban.length"
    /// The IBAN's first two characters are not a registry country.
    public static let ibanCountry: ReasonCode = "iban.country"
    /// A character is not allowed, or does not fit the country's BBAN structure.
    public static let ibanStructure: ReasonCode = "iban.structure"
    /// The ISO 7064 mod 97-10 check fails.
    public static let ibanChecksum: ReasonCode = "iban.checksum"
    /// The check digits are 00, 01 or 99.
    public static let ibanAliasCheckDigits: ReasonCode = "iban.alias_check_digits"
    /// The BBAN's national check digits are wrong.
    public static let ibanNationalChecksum: ReasonCode = "iban.national_checksum"
    /// The IBAN is valid but its country is outside SEPA.
    public static let ibanNotSEPA: ReasonCode = "iban.not_sepa"

    /// The BIC is not of the ISO 9362 form.
    public static let bicFormat: ReasonCode = "bic.format"
    /// The BIC's country is not the IBAN's (territories count as their parent).
    public static let bicCountryMismatch: ReasonCode = "bic.country_mismatch"

    /// The creditor identifier is not of the form CC kk BBB national-id.
    public static let creditorIdFormat: ReasonCode = "creditor_id.format"
    /// The creditor identifier's country is not a SEPA country.
    public static let creditorIdCountry: ReasonCode = "creditor_id.country"
    /// The creditor identifier's check digits are wrong.
    public static let creditorIdChecksum: ReasonCode = "creditor_id.checksum"

    /// First or last name missing, and no full name to take it from.
    public static let nameRequired: ReasonCode = "name.required"
    /// A name is longer than allowed, counted in characters.
    public static let nameTooLong: ReasonCode = "name.too_long"
    /// A name holds characters other than letters, spaces, apostrophes, hyphens and dots.
    public static let nameInvalidCharacters: ReasonCode = "name.invalid_characters"
    /// A review flag: a name's characters outside the SEPA set were removed or transliterated
    /// (`validation.characters: normalise`): `first_name.normalised`, `last_name.normalised`, `name.normalised`.
    public static func normalised(_ role: ValidationRole) -> ReasonCode { ReasonCode("\(role.rawValue).normalised") }

    /// The amount is empty.
    public static let amountRequired: ReasonCode = "amount.required"
    /// The amount cannot be read as a number.
    public static let amountFormat: ReasonCode = "amount.format"
    /// The amount is below the minimum.
    public static let amountMin: ReasonCode = "amount.min"
    /// The amount is above the maximum.
    public static let amountMax: ReasonCode = "amount.max"
    /// The currency is not one the pipeline accepts.
    public static let currencyUnsupported: ReasonCode = "currency.unsupported"
    /// The amount's currency symbol contradicts the currency column.
    public static let currencyMismatch: ReasonCode = "currency.mismatch"

    /// A date cannot be read in any configured format, or does not exist.
    public static let dateInvalid: ReasonCode = "date.invalid"
    /// A mandate or birth date lies after today.
    public static let dateFuture: ReasonCode = "date.future"

    /// The e-mail address is not of the form local@domain.tld.
    public static let emailFormat: ReasonCode = "email.format"

    /// Text with U+FFFD, mojibake (`Ã©`, `â€™`) or control characters.
    public static let encodingBroken: ReasonCode = "encoding.broken"
}
