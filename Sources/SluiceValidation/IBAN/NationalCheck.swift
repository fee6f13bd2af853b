/// A national check-digit algorithm inside a country's BBAN.
///
/// Each case names the algorithm and lists the countries that use it. Germany's checks depend
/// on the bank (over 140 methods) and are not verified.
public enum NationalCheck: UInt8, Sendable, Hashable, CaseIterable {
    /// No national check is verified.
    case none
    /// BE: the first 10 digits mod 97 (0 counts as 97) equal the last two.
    case belgium
    /// FR, MC and the French territories: the RIB key, mod 97 over bank, branch, account (letters folded to digits) and key.
    case france
    /// ES: two check digits, mod 11 over bank and branch, and over the account.
    case spain
    /// IT, SM: the CIN letter, odd/even tables over ABI, CAB and account, mod 26.
    case italy
    /// FI, AX: Luhn over the 14 digits.
    case finland
    /// NO: mod 11 with weights 5432765432.
    case norway
    /// EE: 7-3-1 weights over branch and account.
    case estonia
    /// PL: the eighth digit of the bank code, weights 3971397.
    case poland
    /// CZ, SK: prefix and account number, each weighted mod 11 = 0.
    case czechSlovakia
    /// IS: the check digit of the holder's kennitala.
    case iceland
    /// PT, BA, ME, MK, RS, SI, TL: the whole BBAN mod 97 = 1 (ISO 7064 mod 97-10).
    case mod97
    /// MR, TN: the whole BBAN mod 97 = 0.
    case mod97Variant

    /// Whether a compact, upper-case BBAN passes this check. The BBAN must already match its
    /// country's structure.
    public func isValid(bban: String) -> Bool {
        var bytes = Array(bban.utf8)
        return bytes.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return self == .none }
            return isValid(UnsafePointer(base), count: buffer.count)
        }
    }

    /// The byte-level check; `bban` holds `count` upper-case letters and digits.
    func isValid(_ bban: UnsafePointer<UInt8>, count: Int) -> Bool {
        @inline(__always) func digit(_ i: Int) -> Int { Int(bban[i] &- 48) }
        /// Sum of digits times weights; the weights are hex nibbles read left to right
        /// (`0x485A9736` is 4, 8, 5, 10, 9, 7, 3, 6), which keeps the hot path free of arrays.
        @inline(__always) func weighted(_ range: Range<Int>, _ weights: UInt64) -> Int {
            var sum = 0
            let count = range.count
            for (offset, i) in range.enumerated() {
                sum += digit(i) * Int((weights >> UInt64(4 * (count - 1 - offset))) & 0xF)
            }
            return sum
        }
        switch self {
        case .none:
            return true
        case .belgium:
            guard count == 12 else { return false }
            var number = 0
            for i in 0..<10 { number = number * 10 + digit(i) }
            let expected = number % 97 == 0 ? 97 : number % 97
            return expected == digit(10) * 10 + digit(11)
        case .france:
            guard count == 23 else { return false }
            // Every RIB character is one digit: sum digit × 10^(22 - i) mod 97, with no chain of reductions.
            let power = IBANTables.shared.powerOf10Mod97
            var sum: UInt32 = 0
            for i in 0..<23 { sum &+= UInt32(Self.ribValue(bban[i])) &* power[22 - i] }
            return sum % 97 == 0
        case .spain:
            guard count == 20 else { return false }
            let first = Self.spanishDigit(weighted(0..<8, 0x485A9736))
            let second = Self.spanishDigit(weighted(10..<20, 0x12485A9736))
            return first == digit(8) && second == digit(9)
        case .italy:
            guard count == 23 else { return false }
            var sum = 0
            for i in 1..<23 {
                let byte = bban[i]
                let index = byte <= 57 ? Int(byte - 48) : Int(byte - 65)
                sum += i % 2 == 0 ? index : Self.italianOdd(index)
            }
            return Int(bban[0]) - 65 == sum % 26
        case .finland:
            guard count == 14 else { return false }
            var sum = 0
            for i in 0..<14 {
                var value = digit(13 - i)
                if i % 2 == 1 {
                    value *= 2
                    if value > 9 { value -= 9 }
                }
                sum += value
            }
            return sum % 10 == 0
        case .norway:
            guard count == 11 else { return false }
            if Self.norwegianDigit(weighted(0..<10, 0x5432765432)) == digit(10) { return true }
            // Accounts with 00 in positions 5–6 are checked over their last four digits only
            // (as schwifty does); accept either form.
            return digit(4) == 0 && digit(5) == 0
                && Self.norwegianDigit(weighted(6..<10, 0x5432)) == digit(10)
        case .estonia:
            guard count == 16 else { return false }
            var sum = 0
            for (offset, i) in (2..<15).reversed().enumerated() { sum += digit(i) * (offset % 3 == 0 ? 7 : offset % 3 == 1 ? 3 : 1) }
            return (10 - sum % 10) % 10 == digit(15)
        case .poland:
            guard count == 24 else { return false }
            let sum = weighted(0..<7, 0x3971397)
            return (10 - sum % 10) % 10 == digit(7)
        case .czechSlovakia:
            guard count == 20 else { return false }
            return weighted(4..<10, 0xA58421) % 11 == 0
                && weighted(10..<20, 0x6379A58421) % 11 == 0
        case .iceland:
            guard count == 22 else { return false }
            let remainder = weighted(12..<20, 0x32765432) % 11
            let check = remainder == 0 ? 0 : 11 - remainder
            return check < 10 && check == digit(20)
        case .mod97:
            return Self.mod97(bban, count: count) == 1
        case .mod97Variant:
            return Self.mod97(bban, count: count) == 0
        }
    }

    /// The CIN table for characters in odd positions, by index (0–9, or A–Z as 0–25).
    @inline(__always)
    private static func italianOdd(_ index: Int) -> Int {
        switch index {
        case 0: 1
        case 1: 0
        case 2: 5
        case 3: 7
        case 4: 9
        case 5: 13
        case 6: 15
        case 7: 17
        case 8: 19
        case 9: 21
        case 10: 2
        case 11: 4
        case 12: 18
        case 13: 20
        case 14: 11
        case 15: 3
        case 16: 6
        case 17: 8
        case 18: 12
        case 19: 14
        case 20: 16
        case 21: 10
        case 22: 22
        case 23: 25
        case 24: 24
        default: 23
        }
    }

    /// A RIB character as a digit: letters fold A–I, J–R and S–Z onto 1–9 (S = 2).
    @inline(__always)
    private static func ribValue(_ byte: UInt8) -> Int {
        if byte <= 57 { return Int(byte - 48) }
        let letter = Int(byte - 65)
        if letter < 9 { return letter + 1 }
        if letter < 18 { return letter - 8 }
        return letter - 16
    }

    @inline(__always)
    private static func spanishDigit(_ sum: Int) -> Int {
        let value = 11 - sum % 11
        return value == 11 ? 0 : value == 10 ? 1 : value
    }

    @inline(__always)
    private static func norwegianDigit(_ sum: Int) -> Int {
        let value = 11 - sum % 11
        return value == 11 ? 0 : value  // 10 never matches a digit: such numbers are invalid
    }

    /// The characters read as one number (letters as 10–35, two digits), mod 97: a sum of
    /// value × 10^exponent from the right, at most 36 characters.
    static func mod97(_ bytes: UnsafePointer<UInt8>, count: Int) -> UInt64 {
        let tables = IBANTables.shared
        var sum: UInt32 = 0
        var exponent = 0
        var index = count - 1
        while index >= 0 {
            let byte = bytes[index]
            sum &+= UInt32(tables.value[Int(byte)]) &* tables.powerOf10Mod97[exponent % 96]
            exponent &+= Int(tables.kind[Int(byte)])   // digit = 1, letter = 2
            index -= 1
        }
        return UInt64(sum % 97)
    }
}
