import SluiceCore

/// The outcome of checking one IBAN: valid, or the first check it failed, in checking order.
public enum IBANStatus: UInt8, Sendable, Hashable, CaseIterable {
    case valid
    /// Nothing but spaces, or nothing at all.
    case empty
    /// The first two characters are not a country code of the registry.
    case unknownCountry
    /// A character other than a letter, a digit or a space.
    case invalidCharacter
    /// The length differs from the country's IBAN length.
    case wrongLength
    /// A character does not fit the country's BBAN structure, or the check digits are not digits.
    case wrongStructure
    /// The check digits are 00, 01 or 99, which ISO 7064 never produces.
    case aliasCheckDigits
    /// The ISO 7064 mod 97-10 check fails.
    case wrongChecksum
    /// The BBAN's national check digits are wrong.
    case wrongNationalChecksum

    /// The stable reason code, `nil` when valid.
    public var reasonCode: ReasonCode? {
        switch self {
        case .valid: nil
        case .empty: .ibanRequired
        case .unknownCountry: .ibanCountry
        case .invalidCharacter, .wrongStructure: .ibanStructure
        case .wrongLength: .ibanLength
        case .aliasCheckDigits: .ibanAliasCheckDigits
        case .wrongChecksum: .ibanChecksum
        case .wrongNationalChecksum: .ibanNationalChecksum
        }
    }
}
