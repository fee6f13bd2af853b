/// One country or territory of the SWIFT IBAN registry: its IBAN length, BBAN structure and
/// where the bank, branch and account codes sit.
///
/// Positions are 0-based offsets into the BBAN (the IBAN without its first four characters).
/// A territory such as RE or JE carries its own code and shares its parent's format and
/// national check.
public struct IBANCountry: Sendable, Hashable {
    /// ISO 3166-1 alpha-2 code, the first two characters of the IBAN.
    public let code: String
    /// English short name, e.g. `Germany`.
    public let name: String
    /// Length of the whole IBAN in characters.
    public let length: Int
    /// BBAN structure in registry notation: `n` digits, `a` upper-case letters, `c` both, `!` fixed length.
    public let bbanFormat: String
    /// Whether the country is in the geographical scope of the SEPA schemes (EPC409-09).
    public let isSEPA: Bool
    /// For a territory, the country whose format it shares (`FR` for `RE`).
    public let parent: String?
    /// Where the bank code sits in the BBAN.
    public let bankCode: Range<Int>?
    /// Where the branch code sits, for countries that have one.
    public let branchCode: Range<Int>?
    /// Where the account number sits.
    public let accountCode: Range<Int>?
    /// Where the national check digits sit, when the BBAN has them.
    public let nationalCheckDigits: Range<Int>?
    /// The national check Sluice verifies for this country.
    public let nationalCheck: NationalCheck
    /// The registry's example IBAN, in compact form.
    public let example: String

    /// Length of the BBAN in characters.
    public var bbanLength: Int { length - 4 }

    /// The IBAN format in registry notation, e.g. `DE2!n8!n10!n`.
    public var ibanFormat: String { code + "2!n" + bbanFormat }

    /// The country whose banking rules apply: the parent of a territory, otherwise the country itself.
    public var rulesCountry: String { parent ?? code }
}
