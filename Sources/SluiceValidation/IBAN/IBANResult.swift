import SluiceCore

/// What `IBANValidator` found for one IBAN: eight bytes, no allocation.
///
/// Messages are built on demand, only for rejected values; they name the country and positions,
/// never the account number.
public struct IBANResult: Sendable, Hashable {
    /// Valid, or the first check that failed.
    public let status: IBANStatus
    /// 1-based index into `IBANRegistry.countries`, 0 when the country is unknown.
    let countryIndex: UInt8
    /// The two characters in country position, upper-cased, for messages about unknown countries.
    let countryBytes: (UInt8, UInt8)
    /// Letters and digits after normalisation (capped at 65 535).
    let compactLength: UInt16
    /// 0-based position in the compact IBAN of the character that broke the structure.
    let failurePosition: UInt8
    /// Whether the input was already the compact upper-case form: nothing to rewrite.
    public let isCompact: Bool

    init(
        status: IBANStatus,
        countryIndex: UInt8 = 0,
        countryBytes: (UInt8, UInt8) = (0, 0),
        length: Int = 0,
        position: Int = 0,
        isCompact: Bool = true
    ) {
        self.status = status
        self.countryIndex = countryIndex
        self.countryBytes = countryBytes
        self.compactLength = UInt16(clamping: length)
        self.failurePosition = UInt8(clamping: position)
        self.isCompact = isCompact
    }

    /// Whether every check passed.
    public var isValid: Bool { status == .valid }

    /// The registry entry of the IBAN's country, when it has one.
    public var country: IBANCountry? { IBANRegistry.country(at: countryIndex) }

    /// Whether the IBAN's country is in SEPA; `false` when the country is unknown.
    public var isSEPA: Bool { countryIndex != 0 && IBANTables.shared.sepa[Int(countryIndex) - 1] != 0 }

    /// The IBAN's country code, e.g. `DE`, when the registry knows it.
    public var countryCode: String? {
        countryIndex == 0 ? nil : String(decoding: [countryBytes.0, countryBytes.1], as: UTF8.self)
    }

    /// Number of letters and digits in the input after normalisation.
    public var length: Int { Int(compactLength) }

    /// The reason code, `nil` when valid.
    public var code: ReasonCode? { status.reasonCode }

    /// A message for operators, e.g. `IBAN for DE must be 22 characters, found 21`.
    public var message: String {
        let code = country?.code ?? ""
        switch status {
        case .valid:
            return "IBAN is valid"
        case .empty:
            return "IBAN is required"
        case .unknownCountry:
            let (a, b) = countryBytes
            let isLetter = { (byte: UInt8) in byte >= 65 && byte <= 90 }
            if isLetter(a) && isLetter(b) {
                return "IBAN is invalid: unknown country code \(String(decoding: [a, b], as: UTF8.self))"
            }
            return "IBAN is invalid: it must start with a two-letter country code"
        case .invalidCharacter:
            return "IBAN is invalid: only letters, digits and spaces are allowed"
        case .wrongLength:
            return "IBAN for \(code) must be \(country?.length ?? 0) characters, found \(length)"
        case .wrongStructure:
            let position = Int(failurePosition)
            if position < 4 {
                return "IBAN is invalid: check digits must be two digits"
            }
            let kind = country.map { Self.expectedKind(format: $0.bbanFormat, at: position - 4) } ?? "letter or digit"
            return "IBAN for \(code) must have a \(kind) at position \(position + 1) (format \(country?.ibanFormat ?? ""))"
        case .aliasCheckDigits:
            return "IBAN is invalid: check digits 00, 01 and 99 are not allowed"
        case .wrongChecksum:
            return "IBAN is invalid: check digits do not match (mod 97)"
        case .wrongNationalChecksum:
            return "IBAN is invalid: national check digits of the \(country?.rulesCountry ?? code) account number do not match"
        }
    }

    private static func expectedKind(format: String, at position: Int) -> String {
        let classes = IBANTables.classes(of: format)
        guard position < classes.count else { return "letter or digit" }
        switch classes[position] {
        case IBANTables.Kind.digit: return "digit"
        case IBANTables.Kind.letter: return "capital letter"
        default: return "letter or digit"
        }
    }

    public static func == (lhs: IBANResult, rhs: IBANResult) -> Bool {
        lhs.status == rhs.status && lhs.countryIndex == rhs.countryIndex && lhs.countryBytes == rhs.countryBytes
            && lhs.compactLength == rhs.compactLength && lhs.failurePosition == rhs.failurePosition
            && lhs.isCompact == rhs.isCompact
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(status)
        hasher.combine(countryIndex)
        hasher.combine(countryBytes.0)
        hasher.combine(countryBytes.1)
        hasher.combine(compactLength)
        hasher.combine(failurePosition)
        hasher.combine(isCompact)
    }
}
