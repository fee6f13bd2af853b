/// Flat lookup tables built once from `IBANRegistry.countries` for the byte-level validator.
///
/// The memory is allocated once for the life of the process and never written after `init`,
/// which is why sharing the raw pointers across threads is safe. A struct of pointers, so that
/// the hot path copies it without reference counting.
struct IBANTables: @unchecked Sendable {
    static let shared = IBANTables()

    /// Kind of an input byte: see the `Kind` constants.
    let kind: UnsafeMutablePointer<UInt8>
    /// 0 for an ASCII digit or upper-case letter, 1 for any other byte.
    let notCompact: UnsafeMutablePointer<UInt8>
    /// Value of a character in the mod-97 conversion: 0–9 for digits, 10–35 for letters.
    let value: UnsafeMutablePointer<UInt8>
    /// 26 × 26 entries: 1-based index of the country for two upper-case letters, 0 when unknown.
    let index: UnsafeMutablePointer<UInt8>
    /// Per country (0-based): IBAN length.
    let length: UnsafeMutablePointer<UInt8>
    /// Per country: offset of its BBAN classes in `classes`.
    let classStart: UnsafeMutablePointer<UInt16>
    /// Per BBAN position: allowed kinds (`digit`, `letter` or both).
    let classes: UnsafeMutablePointer<UInt8>
    /// Per country: `NationalCheck` raw value.
    let national: UnsafeMutablePointer<UInt8>
    /// Per country: 1-based index of the country whose rules apply (itself or its parent).
    let rulesIndex: UnsafeMutablePointer<UInt8>
    /// Per country: 1 when in SEPA.
    let sepa: UnsafeMutablePointer<UInt8>
    /// 10^e mod 97 for e in 0..<96, a full period (10^96 ≡ 1 mod 97); an IBAN is at most 68 digits.
    let powerOf10Mod97: UnsafeMutablePointer<UInt32>

    enum Kind {
        static let invalid: UInt8 = 0
        static let digit: UInt8 = 1
        static let letter: UInt8 = 2
        static let lower: UInt8 = 3
        static let space: UInt8 = 4
    }

    private init() {
        let countries = IBANRegistry.countries
        precondition(countries.count < 255, "the registry must fit 1-based UInt8 indices")
        kind = .allocate(capacity: 256)
        kind.initialize(repeating: Kind.invalid, count: 256)
        value = .allocate(capacity: 256)
        value.initialize(repeating: 0, count: 256)
        for byte in UInt8(ascii: "0")...UInt8(ascii: "9") {
            kind[Int(byte)] = Kind.digit
            value[Int(byte)] = byte - UInt8(ascii: "0")
        }
        for byte in UInt8(ascii: "A")...UInt8(ascii: "Z") {
            kind[Int(byte)] = Kind.letter
            value[Int(byte)] = byte - UInt8(ascii: "A") + 10
            kind[Int(byte | 0x20)] = Kind.lower
            value[Int(byte | 0x20)] = byte - UInt8(ascii: "A") + 10
        }
        for byte in [UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), UInt8(ascii: "\n")] {
            kind[Int(byte)] = Kind.space
        }
        notCompact = .allocate(capacity: 256)
        for byte in 0..<256 {
            let byteKind = kind[byte]
            notCompact[byte] = byteKind == Kind.digit || byteKind == Kind.letter ? 0 : 1
        }

        let index = UnsafeMutablePointer<UInt8>.allocate(capacity: 26 * 26)
        index.initialize(repeating: 0, count: 26 * 26)
        length = .allocate(capacity: countries.count)
        classStart = .allocate(capacity: countries.count)
        national = .allocate(capacity: countries.count)
        rulesIndex = .allocate(capacity: countries.count)
        sepa = .allocate(capacity: countries.count)
        var allClasses: [UInt8] = []
        for (position, country) in countries.enumerated() {
            let code = Array(country.code.utf8)
            index[Int(code[0] - 65) * 26 + Int(code[1] - 65)] = UInt8(position + 1)
            length[position] = UInt8(country.length)
            classStart[position] = UInt16(allClasses.count)
            national[position] = country.nationalCheck.rawValue
            sepa[position] = country.isSEPA ? 1 : 0
            allClasses += Self.classes(of: country.bbanFormat)
            precondition(allClasses.count - Int(classStart[position]) == country.bbanLength, "BBAN format of \(country.code)")
        }
        for (position, country) in countries.enumerated() {
            let rules = Array(country.rulesCountry.utf8)
            rulesIndex[position] = index[Int(rules[0] - 65) * 26 + Int(rules[1] - 65)]
        }
        self.index = index
        powerOf10Mod97 = .allocate(capacity: 96)
        var power: UInt32 = 1
        for exponent in 0..<96 {
            powerOf10Mod97[exponent] = power
            power = power * 10 % 97
        }
        classes = .allocate(capacity: allClasses.count)
        classes.initialize(from: allClasses, count: allClasses.count)
    }

    /// Expands `4!a10!n` into one allowed-kinds mask per position.
    static func classes(of format: String) -> [UInt8] {
        var result: [UInt8] = []
        var count = 0
        for character in format {
            if let digit = character.wholeNumberValue {
                count = count * 10 + digit
                continue
            }
            let mask: UInt8
            switch character {
            case "n": mask = Kind.digit
            case "a": mask = Kind.letter
            case "c": mask = Kind.digit | Kind.letter
            default: continue  // "!" marks a fixed length, which every registry entry has
            }
            result += [UInt8](repeating: mask, count: count)
            count = 0
        }
        return result
    }

    @inline(__always)
    func countryIndex(_ first: UInt8, _ second: UInt8) -> UInt8 {
        let a = first &- 65
        let b = second &- 65
        guard a < 26, b < 26 else { return 0 }
        return index[Int(a) * 26 + Int(b)]
    }
}
