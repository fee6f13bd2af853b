/// The `validation:` section of a pipeline file, snake_case keys, every key optional.
///
/// The keys are also listed in the pipeline schema (`PipelineDocument.schema`), which refuses
/// any other key before this decoder runs; `CaseIterable` lets a test hold the two together.
extension ValidationRules: Decodable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case columns
        case required
        case amount
        case currencies
        case nameMaxLength = "name_max_length"
        case fullNameMaxLength = "full_name_max_length"
        case nameScripts = "name_scripts"
        case dateFormats = "date_formats"
        case mandateDateNotInFuture = "mandate_date_not_in_future"
        case sepaOnly = "sepa_only"
        case nationalCheckDigits = "national_check_digits"
        case fillCountryFromIBAN = "fill_country_from_iban"
        case encodingColumns = "encoding_columns"
        case characters
    }

    struct AmountRules: Decodable {
        var min: Double?
        var max: Double?
        var ambiguous_separator: AmountParser.AmbiguousSeparator?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case min, max, ambiguous_separator
        }
    }

    /// Decodes the `validation:` section; missing keys keep their defaults, unknown roles,
    /// scripts, date patterns and currencies are errors that name the key.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = ValidationRules()
        self = defaults

        if let columns = try container.decodeIfPresent([String: String].self, forKey: .columns) {
            var names: [ValidationRole: String] = [:]
            for (key, column) in columns {
                guard let role = ValidationRole(rawValue: key) else {
                    throw DecodingError.dataCorruptedError(
                        forKey: .columns, in: container,
                        debugDescription: "unknown role '\(key)'; roles are \(ValidationRole.allCases.map(\.rawValue).joined(separator: ", "))"
                    )
                }
                names[role] = column
            }
            columnNames = names
        }
        if let roles = try container.decodeIfPresent([ValidationRole].self, forKey: .required) {
            required = Set(roles)
        }
        if let amount = try container.decodeIfPresent(AmountRules.self, forKey: .amount) {
            if let min = amount.min { minimumAmountCents = Int64((min * 100).rounded()) }
            if let max = amount.max { maximumAmountCents = Int64((max * 100).rounded()) }
            if let policy = amount.ambiguous_separator { ambiguousSeparator = policy }
            guard minimumAmountCents <= maximumAmountCents else {
                throw DecodingError.dataCorruptedError(forKey: .amount, in: container, debugDescription: "amount.min must not exceed amount.max")
            }
        }
        if let currencies = try container.decodeIfPresent([String].self, forKey: .currencies) {
            let codes = currencies.map { $0.uppercased() }
            guard !codes.isEmpty, codes.allSatisfy({ $0.utf8.count == 3 && $0.allSatisfy(\.isLetter) }) else {
                throw DecodingError.dataCorruptedError(forKey: .currencies, in: container, debugDescription: "currencies must list ISO 4217 codes such as EUR")
            }
            self.currencies = codes
        }
        nameMaxLength = try container.decodeIfPresent(Int.self, forKey: .nameMaxLength) ?? defaults.nameMaxLength
        fullNameMaxLength = try container.decodeIfPresent(Int.self, forKey: .fullNameMaxLength) ?? defaults.fullNameMaxLength
        guard nameMaxLength > 0, fullNameMaxLength > 0 else {
            throw DecodingError.dataCorruptedError(forKey: .nameMaxLength, in: container, debugDescription: "name lengths must be positive")
        }
        if let scripts = try container.decodeIfPresent([NameScript].self, forKey: .nameScripts) {
            nameScripts = Set(scripts)
        }
        if let patterns = try container.decodeIfPresent([String].self, forKey: .dateFormats) {
            do {
                dateFormats = try patterns.map { try DateFormat($0) }
            } catch let error as DateFormat.InvalidPattern {
                throw DecodingError.dataCorruptedError(forKey: .dateFormats, in: container, debugDescription: error.description)
            }
        }
        mandateDateNotInFuture = try container.decodeIfPresent(Bool.self, forKey: .mandateDateNotInFuture) ?? defaults.mandateDateNotInFuture
        sepaOnly = try container.decodeIfPresent(Bool.self, forKey: .sepaOnly) ?? defaults.sepaOnly
        nationalCheckDigits = try container.decodeIfPresent(Bool.self, forKey: .nationalCheckDigits) ?? defaults.nationalCheckDigits
        fillCountryFromIBAN = try container.decodeIfPresent(Bool.self, forKey: .fillCountryFromIBAN) ?? defaults.fillCountryFromIBAN
        encodingColumns = try container.decodeIfPresent([String].self, forKey: .encodingColumns) ?? defaults.encodingColumns
        nameCharacters = try container.decodeIfPresent(NameCharacterPolicy.self, forKey: .characters) ?? defaults.nameCharacters
    }
}
