/// Checks IBANs on raw bytes, without allocating: the hot path of the `validate` stage.
///
/// Normalisation first: surrounding white space is trimmed, spaces (and tabs, no-break spaces)
/// inside are dropped, letters are upper-cased, and an `IBAN` prefix (optionally followed by
/// `:`) is removed. Then, in order, the first failure wins:
/// country code → characters → length → BBAN structure → alias check digits (00, 01, 99) →
/// ISO 7064 mod 97-10 → national check digits.
///
/// ```swift
/// IBANValidator.validate("DE89 3704 0044 0532 0130 00").isValid        // true
/// IBANValidator.validate("DE8937040044053201300").message
/// // "IBAN for DE must be 22 characters, found 21"
/// ```
public enum IBANValidator {
    /// The longest IBAN any country issues.
    public static let maxLength = 34

    /// Validates the IBAN in `bytes` (ASCII or UTF-8). Allocation-free.
    ///
    /// - Parameters:
    ///   - bytes: the value as it stands in the file.
    ///   - nationalCheck: whether to verify national BBAN check digits (BE, FR, ES, IT, …).
    public static func validate(_ bytes: UnsafeBufferPointer<UInt8>, nationalCheck: Bool = true) -> IBANResult {
        let tables = IBANTables.shared
        // The common case: already compact and upper-case. Check it without copying.
        if let base = bytes.baseAddress, bytes.count >= 4, bytes.count <= maxLength,
           !(base[0] == UInt8(ascii: "I") && base[1] == UInt8(ascii: "B")) {
            var dirty: UInt8 = 0
            for byte in bytes { dirty |= tables.notCompact[Int(byte)] }
            if dirty == 0 {
                return check(base, length: bytes.count, isCompact: true, tables: tables, nationalCheck: nationalCheck)
            }
        }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: maxLength) { scratch in
            guard let base = scratch.baseAddress else { return IBANResult(status: .empty) }
            return normalizeAndCheck(bytes, scratch: base, tables: tables, nationalCheck: nationalCheck)
        }
    }

    /// Validates an IBAN given as a string; see `validate(_:nationalCheck:)` on bytes.
    public static func validate(_ string: String, nationalCheck: Bool = true) -> IBANResult {
        var string = string
        return string.withUTF8 { validate($0, nationalCheck: nationalCheck) }
    }

    /// The compact form: white space and an `IBAN` prefix removed, letters upper-cased.
    /// Other characters are kept, so an invalid input stays recognisable.
    public static func compact(_ string: String) -> String {
        var string = string
        return string.withUTF8 { bytes in
            var output: [UInt8] = []
            appendCompact(bytes, to: &output)
            return String(decoding: output, as: UTF8.self)
        }
    }

    /// The print format: the compact form in groups of four, e.g. `DE89 3704 0044 0532 0130 00`.
    public static func printFormat(_ string: String) -> String {
        let compact = Array(compact(string).utf8)
        var output: [UInt8] = []
        output.reserveCapacity(compact.count + compact.count / 4)
        for (offset, byte) in compact.enumerated() {
            if offset > 0 && offset % 4 == 0 { output.append(UInt8(ascii: " ")) }
            output.append(byte)
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// The two ISO 7064 check digits for a country code and BBAN, e.g. `("DE", "370400440532013000")` → `"89"`.
    /// `nil` when the BBAN holds anything but letters and digits.
    public static func checkDigits(country: String, bban: String) -> String? {
        let bytes = Array((bban + country + "00").uppercased().utf8)
        guard bytes.allSatisfy({ IBANTables.shared.kind[Int($0)] == IBANTables.Kind.digit || IBANTables.shared.kind[Int($0)] == IBANTables.Kind.letter }) else {
            return nil
        }
        let remainder = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress.map { NationalCheck.mod97($0, count: buffer.count) } ?? 0
        }
        let digits = 98 - Int(remainder)
        return digits < 10 ? "0\(digits)" : "\(digits)"
    }

    /// Appends the compact form of `bytes` (see `compact(_:)`) to `output`.
    public static func appendCompact(_ bytes: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) {
        let kind = IBANTables.shared.kind
        var (start, end) = trimmed(bytes, kind: kind)
        start = afterPrefix(bytes, start: start, end: end)
        var i = start
        while i < end {
            let byte = bytes[i]
            switch kind[Int(byte)] {
            case IBANTables.Kind.space:
                break
            case IBANTables.Kind.lower:
                output.append(byte & 0xDF)
            default:
                if byte == 0xC2 && i + 1 < end && bytes[i + 1] == 0xA0 {
                    i += 1
                } else {
                    output.append(byte)
                }
            }
            i += 1
        }
    }

    // MARK: - The check

    /// Copies the compact form of `bytes` into `out` (at most `maxLength` bytes), then checks it.
    static func normalizeAndCheck(_ bytes: UnsafeBufferPointer<UInt8>, scratch out: UnsafeMutablePointer<UInt8>, tables: IBANTables, nationalCheck: Bool) -> IBANResult {
        let kind = tables.kind
        let (trimmedStart, end) = trimmed(bytes, kind: kind)
        let start = afterPrefix(bytes, start: trimmedStart, end: end)
        var isCompact = start == 0 && end == bytes.count

        var length = 0
        var invalidAt = -1
        var i = start
        while i < end {
            let byte = bytes[i]
            let byteKind = kind[Int(byte)]
            if byteKind == IBANTables.Kind.digit || byteKind == IBANTables.Kind.letter {
                if length < maxLength { out[length] = byte }
                length += 1
            } else if byteKind == IBANTables.Kind.lower {
                if length < maxLength { out[length] = byte & 0xDF }
                length += 1
                isCompact = false
            } else if byteKind == IBANTables.Kind.space {
                isCompact = false
            } else if byte == 0xC2 && i + 1 < end && bytes[i + 1] == 0xA0 {
                i += 1
                isCompact = false
            } else {
                if invalidAt < 0 { invalidAt = length }
                isCompact = false
            }
            i += 1
        }

        if length == 0 {
            return IBANResult(status: invalidAt >= 0 ? .invalidCharacter : .empty, isCompact: isCompact)
        }
        if invalidAt == 0 || invalidAt == 1 {
            return IBANResult(status: .invalidCharacter, length: length, position: invalidAt, isCompact: isCompact)
        }
        if invalidAt >= 0 {
            // Report the country first when it is unknown; otherwise the bad character.
            let first = out[0]
            let second = length > 1 ? out[1] : 0
            let countryIndex = tables.countryIndex(first, second)
            return IBANResult(status: countryIndex == 0 ? .unknownCountry : .invalidCharacter, countryIndex: countryIndex,
                              countryBytes: (first, second), length: length, position: invalidAt, isCompact: isCompact)
        }
        return check(out, length: length, isCompact: isCompact, tables: tables, nationalCheck: nationalCheck)
    }

    /// Checks `length` compact upper-case letters and digits; `length` may exceed what `iban` holds
    /// only when it is over `maxLength`, which fails the length check before anything is read.
    @inline(__always)
    static func check(_ iban: UnsafePointer<UInt8>, length: Int, isCompact: Bool, tables: IBANTables, nationalCheck: Bool) -> IBANResult {
        let first = iban[0]
        let second = length > 1 ? iban[1] : 0
        let countryIndex = length > 1 ? tables.countryIndex(first, second) : 0
        @inline(__always) func result(_ status: IBANStatus, position: Int = 0) -> IBANResult {
            IBANResult(status: status, countryIndex: countryIndex, countryBytes: (first, second), length: length, position: position, isCompact: isCompact)
        }
        guard countryIndex != 0 else { return result(.unknownCountry) }
        let country = Int(countryIndex) - 1
        guard length == Int(tables.length[country]) else { return result(.wrongLength) }
        let kind = tables.kind
        guard kind[Int(iban[2])] == IBANTables.Kind.digit else { return result(.wrongStructure, position: 2) }
        guard kind[Int(iban[3])] == IBANTables.Kind.digit else { return result(.wrongStructure, position: 3) }

        // BBAN structure and ISO 7064 mod 97-10 in one pass. The number is the BBAN, then the
        // country and the check digits, letters as 10–35 (two decimal digits). Instead of Horner's
        // rule, whose multiply-and-reduce chain is as long as the IBAN, it is read from the right as
        // a sum of value × 10^exponent mod 97: the only dependency between characters is the
        // exponent, which grows by 1 or 2.
        let value = tables.value
        let power = tables.powerOf10Mod97
        let classes = tables.classes + Int(tables.classStart[country])
        var sum: UInt32 = 0
        var exponent = 6   // the country's two letters and the two check digits come after the BBAN
        var misfit: UInt8 = 0
        var position = length - 1
        while position >= 4 {
            let byte = iban[position]
            let byteKind = kind[Int(byte)]
            misfit |= (classes[position - 4] & byteKind) == 0 ? 1 : 0
            sum &+= UInt32(value[Int(byte)]) &* power[exponent]
            exponent &+= Int(byteKind)   // digit = 1, letter = 2: its width in decimal digits
            position -= 1
        }
        if misfit != 0 {
            for position in 4..<length where classes[position - 4] & kind[Int(iban[position])] == 0 {
                return result(.wrongStructure, position: position)
            }
        }
        sum &+= UInt32(value[Int(first)]) &* power[4] &+ UInt32(value[Int(second)]) &* power[2]
            &+ UInt32(iban[2] &- 48) &* 10 &+ UInt32(iban[3] &- 48)
        let remainder = sum % 97

        let checkDigits = (iban[2] &- 48) &* 10 &+ (iban[3] &- 48)
        if checkDigits == 0 || checkDigits == 1 || checkDigits == 99 { return result(.aliasCheckDigits) }
        guard remainder == 1 else { return result(.wrongChecksum) }

        if nationalCheck {
            let algorithm = tables.national[country]
            if algorithm != 0, let check = NationalCheck(rawValue: algorithm), !check.isValid(iban + 4, count: length - 4) {
                return result(.wrongNationalChecksum)
            }
        }
        return result(.valid)
    }

    /// The bounds of `bytes` without surrounding spaces, tabs, line breaks and no-break spaces.
    @inline(__always)
    private static func trimmed(_ bytes: UnsafeBufferPointer<UInt8>, kind: UnsafeMutablePointer<UInt8>) -> (Int, Int) {
        var start = 0
        var end = bytes.count
        while start < end {
            if kind[Int(bytes[start])] == IBANTables.Kind.space {
                start += 1
            } else if bytes[start] == 0xC2 && start + 1 < end && bytes[start + 1] == 0xA0 {
                start += 2
            } else {
                break
            }
        }
        while end > start {
            if kind[Int(bytes[end - 1])] == IBANTables.Kind.space {
                end -= 1
            } else if end - start >= 2 && bytes[end - 2] == 0xC2 && bytes[end - 1] == 0xA0 {
                end -= 2
            } else {
                break
            }
        }
        return (start, end)
    }

    /// Skips an `IBAN` prefix in any case, and a `:` after it. No country code starts with `IB`.
    @inline(__always)
    private static func afterPrefix(_ bytes: UnsafeBufferPointer<UInt8>, start: Int, end: Int) -> Int {
        guard end - start > 4,
              bytes[start] | 0x20 == UInt8(ascii: "i"), bytes[start + 1] | 0x20 == UInt8(ascii: "b"),
              bytes[start + 2] | 0x20 == UInt8(ascii: "a"), bytes[start + 3] | 0x20 == UInt8(ascii: "n")
        else { return start }
        return bytes[start + 4] == UInt8(ascii: ":") ? start + 5 : start + 4
    }
}
