/// Checks BICs (ISO 9362): 4 characters bank code, 2 letters country, 2 characters location,
/// optionally 3 characters branch, 8 or 11 in all.
///
/// The bank code may hold digits, as ISO 9362:2014 allows. Surrounding and inner spaces are
/// dropped and letters upper-cased before checking.
///
/// ```swift
/// BICValidator.validate("deutdeff").countryCode   // "DE"
/// ```
public enum BICValidator {
    /// Validates the BIC in `bytes`. Allocation-free.
    public static func validate(_ bytes: UnsafeBufferPointer<UInt8>) -> BICResult {
        let kind = IBANTables.shared.kind
        var compact: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var length = 0
        var isCompact = true
        var badCharacter = false
        return withUnsafeMutableBytes(of: &compact) { raw in
            for byte in bytes {
                switch kind[Int(byte)] {
                case IBANTables.Kind.space:
                    isCompact = false
                    continue
                case IBANTables.Kind.digit, IBANTables.Kind.letter:
                    if length < 11 { raw[length] = byte }
                case IBANTables.Kind.lower:
                    isCompact = false
                    if length < 11 { raw[length] = byte & 0xDF }
                default:
                    badCharacter = true
                }
                length += 1
            }
            if length == 0 && !badCharacter { return BICResult(problem: .empty, isCompact: isCompact) }
            if badCharacter { return BICResult(problem: .characters, isCompact: isCompact) }
            guard length == 8 || length == 11 else { return BICResult(problem: .length, isCompact: isCompact) }
            // Every character is already a letter or a digit; only the country must be letters.
            let country = (raw[4], raw[5])
            guard kind[Int(country.0)] == IBANTables.Kind.letter, kind[Int(country.1)] == IBANTables.Kind.letter,
                  CountryCodes.isKnown(country.0, country.1)
            else { return BICResult(problem: .country, isCompact: isCompact) }
            return BICResult(problem: .none, countryBytes: country, isCompact: isCompact)
        }
    }

    /// Validates a BIC given as a string.
    public static func validate(_ string: String) -> BICResult {
        var string = string
        return string.withUTF8 { validate($0) }
    }

    /// Appends the compact upper-case form of `bytes` to `output`.
    public static func appendCompact(_ bytes: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) {
        let kind = IBANTables.shared.kind
        for byte in bytes {
            switch kind[Int(byte)] {
            case IBANTables.Kind.space: continue
            case IBANTables.Kind.lower: output.append(byte & 0xDF)
            default: output.append(byte)
            }
        }
    }
}
