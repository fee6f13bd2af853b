/// ISO 3166-1 alpha-2 country codes, for the country part of a BIC.
///
/// The list is generated into `CountryCodes+Table.swift` by `scripts/generate_iban_registry.py`.
enum CountryCodes {
    private static let known: [Bool] = {
        var table = [Bool](repeating: false, count: 26 * 26)
        for code in iso3166 {
            let bytes = Array(code.utf8)
            table[Int(bytes[0] - 65) * 26 + Int(bytes[1] - 65)] = true
        }
        return table
    }()

    /// Whether two upper-case letters are an ISO 3166-1 code.
    static func isKnown(_ first: UInt8, _ second: UInt8) -> Bool {
        let a = first &- 65
        let b = second &- 65
        guard a < 26, b < 26 else { return false }
        return known[Int(a) * 26 + Int(b)]
    }
}
