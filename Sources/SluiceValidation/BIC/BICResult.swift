import SluiceCore

/// What `BICValidator` found for one BIC.
public struct BICResult: Sendable, Hashable {
    /// Why a BIC is not of the ISO 9362 form.
    public enum Problem: UInt8, Sendable, Hashable {
        case none
        case empty
        case length
        case characters
        case country
    }

    /// `.none` for a valid BIC.
    public let problem: Problem
    /// The country letters (positions 5–6), upper-cased.
    let countryBytes: (UInt8, UInt8)
    /// Whether the input was already compact and upper-case.
    public let isCompact: Bool

    init(problem: Problem, countryBytes: (UInt8, UInt8) = (0, 0), isCompact: Bool = true) {
        self.problem = problem
        self.countryBytes = countryBytes
        self.isCompact = isCompact
    }

    /// Whether the BIC has the ISO 9362 form.
    public var isValid: Bool { problem == .none }

    /// The BIC's country code, when the BIC is valid.
    public var countryCode: String? {
        isValid ? String(decoding: [countryBytes.0, countryBytes.1], as: UTF8.self) : nil
    }

    /// `bic.format` for a malformed BIC, `nil` when valid or empty.
    public var code: ReasonCode? {
        switch problem {
        case .none, .empty: nil
        default: .bicFormat
        }
    }

    /// A message for operators; it never repeats the BIC.
    public var message: String {
        switch problem {
        case .none: "BIC is valid"
        case .empty: "BIC is empty"
        case .length: "BIC is invalid: it must be 8 or 11 characters"
        case .characters: "BIC is invalid: only letters and digits are allowed"
        case .country: "BIC is invalid: characters 5–6 must be an ISO 3166 country code"
        }
    }

    /// Whether this BIC may serve an IBAN of `country`: same country, or the same parent for
    /// territories (a RE IBAN with an FR BIC, a GB IBAN with a JE BIC).
    public func matches(_ country: IBANCountry) -> Bool {
        let code = Array(country.code.utf8)
        return matches(countryIndex: IBANTables.shared.countryIndex(code[0], code[1]))
    }

    /// Whether this BIC may serve an IBAN of the country that `iban` was found to have.
    public func matches(_ iban: IBANResult) -> Bool {
        matches(countryIndex: iban.countryIndex)
    }

    private func matches(countryIndex ibanIndex: UInt8) -> Bool {
        guard isValid, ibanIndex != 0 else { return false }
        let tables = IBANTables.shared
        let bicIndex = tables.countryIndex(countryBytes.0, countryBytes.1)
        if bicIndex == ibanIndex { return true }
        guard bicIndex != 0 else { return false }
        return tables.rulesIndex[Int(bicIndex) - 1] == tables.rulesIndex[Int(ibanIndex) - 1]
    }

    public static func == (lhs: BICResult, rhs: BICResult) -> Bool {
        lhs.problem == rhs.problem && lhs.countryBytes == rhs.countryBytes && lhs.isCompact == rhs.isCompact
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(problem)
        hasher.combine(countryBytes.0)
        hasher.combine(countryBytes.1)
        hasher.combine(isCompact)
    }
}
