import SluiceCore

/// Checks a SEPA creditor identifier (AT-02): country code, two check digits, a three-character
/// business code and the national identifier, at most 35 characters, e.g. `DE98ZZZ09999999999`.
///
/// The check digits are ISO 7064 mod 97-10 over the national identifier followed by the country
/// code and the check digits; the business code is not part of the check.
public enum CreditorIdentifierValidator {
    /// Why a creditor identifier was refused.
    public enum Problem: UInt8, Sendable, Hashable {
        case none
        case empty
        case format
        case country
        case checksum

        /// `creditor_id.format`, `.country` or `.checksum`; `nil` when valid or empty.
        public var code: ReasonCode? {
            switch self {
            case .none, .empty: nil
            case .format: .creditorIdFormat
            case .country: .creditorIdCountry
            case .checksum: .creditorIdChecksum
            }
        }

        /// A message for operators; it never repeats the identifier.
        public var message: String {
            switch self {
            case .none: "Creditor identifier is valid"
            case .empty: "Creditor identifier is empty"
            case .format: "Creditor identifier is invalid: expected country code, 2 check digits, 3-character business code and national identifier (at most 35 characters)"
            case .country: "Creditor identifier is invalid: its country is not in SEPA zone"
            case .checksum: "Creditor identifier is invalid: check digits do not match (mod 97)"
            }
        }
    }

    /// Validates the creditor identifier in `bytes`; spaces are ignored and letters upper-cased.
    public static func validate(_ bytes: UnsafeBufferPointer<UInt8>) -> Problem {
        var compact: [UInt8] = []
        compact.reserveCapacity(bytes.count)
        BICValidator.appendCompact(bytes, to: &compact)
        if compact.isEmpty { return .empty }
        let kind = IBANTables.shared.kind
        guard compact.count >= 8, compact.count <= 35,
              compact.allSatisfy({ kind[Int($0)] == IBANTables.Kind.digit || kind[Int($0)] == IBANTables.Kind.letter }),
              kind[Int(compact[0])] == IBANTables.Kind.letter, kind[Int(compact[1])] == IBANTables.Kind.letter,
              kind[Int(compact[2])] == IBANTables.Kind.digit, kind[Int(compact[3])] == IBANTables.Kind.digit
        else { return .format }
        let countryIndex = IBANTables.shared.countryIndex(compact[0], compact[1])
        guard let country = IBANRegistry.country(at: countryIndex), country.isSEPA else { return .country }
        let checked = Array(compact[7...]) + compact[0..<4]
        let remainder = checked.withUnsafeBufferPointer { buffer in
            buffer.baseAddress.map { NationalCheck.mod97($0, count: buffer.count) } ?? 0
        }
        return remainder == 1 ? .none : .checksum
    }

    /// Validates a creditor identifier given as a string.
    public static func validate(_ string: String) -> Problem {
        var string = string
        return string.withUTF8 { validate($0) }
    }
}
