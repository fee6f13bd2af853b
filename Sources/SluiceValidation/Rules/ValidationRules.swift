/// The field rules of the `validate` stage, with the operator's defaults for every field.
///
/// In a pipeline file they sit under `validation:` (all keys optional):
///
/// ```yaml
/// validation:
///   columns: { iban: account_iban }      # role → column, when a column has another name
///   required: [iban, amount, name]       # name = first and last name (or a full name)
///   amount: { min: 0.10, max: 50000, ambiguous_separator: reject }
///   currencies: [EUR]
///   name_max_length: 35
///   full_name_max_length: 70
///   name_scripts: [latin, greek]
///   date_formats: [excel, Y-m-d, d.m.Y, d/m/Y, m/d/Y, d-m-Y, Y/m/d, d.m.y, d/m/y]
///   mandate_date_not_in_future: true
///   sepa_only: true
///   national_check_digits: true
///   fill_country_from_iban: true
///   encoding_columns: [first_name, last_name, name, address, city]
///   characters: normalise                # or reject: names outside the SEPA character set
/// ```
public struct ValidationRules: Sendable, Hashable {
    /// Column name per role, for columns not named after their role.
    public var columnNames: [ValidationRole: String]
    /// Roles whose empty value rejects the row with `<role>.required`. `.name` asks for a first
    /// and a last name, directly or split from a full name.
    public var required: Set<ValidationRole>
    /// Smallest accepted amount, in cents (default 0.10).
    public var minimumAmountCents: Int64
    /// Largest accepted amount, in cents (default 50,000.00).
    public var maximumAmountCents: Int64
    /// How to read `1,234` and `1.234`.
    public var ambiguousSeparator: AmountParser.AmbiguousSeparator
    /// Accepted ISO 4217 currency codes; the first fills an empty currency.
    public var currencies: [String]
    /// Longest first or last name, in characters.
    public var nameMaxLength: Int
    /// Longest full name, in characters (the pain.008 debtor name holds 70).
    public var fullNameMaxLength: Int
    /// Scripts whose letters names may use.
    public var nameScripts: Set<NameScript>
    /// Date formats, tried in order.
    public var dateFormats: [DateFormat]
    /// Refuse mandate dates after today (`date.future`). Birth dates in the future are always refused.
    public var mandateDateNotInFuture: Bool
    /// Refuse valid IBANs of countries outside SEPA (`iban.not_sepa`).
    public var sepaOnly: Bool
    /// Verify national check digits inside the BBAN (`iban.national_checksum`).
    public var nationalCheckDigits: Bool
    /// Fill an empty country column with the IBAN's country.
    public var fillCountryFromIBAN: Bool
    /// Columns checked for broken encoding. Names refuse every control character; other columns
    /// accept tab, LF and CR.
    public var encodingColumns: [String]
    /// What to do with characters in names that the SEPA character set lacks.
    public var nameCharacters: NameCharacterPolicy = .normalise

    /// Rules with the operator's defaults for every field not given.
    public init(
        columnNames: [ValidationRole: String] = [:],
        required: Set<ValidationRole> = [.iban, .amount, .name],
        minimumAmountCents: Int64 = 10,
        maximumAmountCents: Int64 = 5_000_000,
        ambiguousSeparator: AmountParser.AmbiguousSeparator = .reject,
        currencies: [String] = ["EUR"],
        nameMaxLength: Int = 35,
        fullNameMaxLength: Int = 70,
        nameScripts: Set<NameScript> = NameScript.defaults,
        dateFormats: [DateFormat] = DateFormat.defaults,
        mandateDateNotInFuture: Bool = true,
        sepaOnly: Bool = true,
        nationalCheckDigits: Bool = true,
        fillCountryFromIBAN: Bool = true,
        encodingColumns: [String] = ["first_name", "last_name", "name", "address", "city"]
    ) {
        self.columnNames = columnNames
        self.required = required
        self.minimumAmountCents = minimumAmountCents
        self.maximumAmountCents = maximumAmountCents
        self.ambiguousSeparator = ambiguousSeparator
        self.currencies = currencies
        self.nameMaxLength = nameMaxLength
        self.fullNameMaxLength = fullNameMaxLength
        self.nameScripts = nameScripts
        self.dateFormats = dateFormats
        self.mandateDateNotInFuture = mandateDateNotInFuture
        self.sepaOnly = sepaOnly
        self.nationalCheckDigits = nationalCheckDigits
        self.fillCountryFromIBAN = fillCountryFromIBAN
        self.encodingColumns = encodingColumns
    }

    /// The column that holds `role`.
    public func column(for role: ValidationRole) -> String {
        columnNames[role] ?? role.rawValue
    }
}
