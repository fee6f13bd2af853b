/// Character rules for debtor names, on raw UTF-8 bytes.
///
/// Allowed: letters of the accepted scripts (Latin with every accent, combining marks included),
/// spaces, apostrophes (`'` `’` `ʼ` `´`), hyphens, dots and the middle dot; a comma only in a
/// full name ("Last, First"). Not allowed: digits, symbols, other punctuation.
public enum NameCheck {
    /// Number of characters as a reader counts them: Unicode scalars without combining marks.
    public static func characterCount(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var count = 0
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte < 0x80 {
                count += 1
                index += 1
                continue
            }
            let (scalar, length) = UTF8Decoding.scalar(in: bytes, at: index)
            index += length
            if !isCombiningMark(scalar) { count += 1 }
        }
        return count
    }

    /// Whether `bytes` holds a character a name may not have.
    public static func hasInvalidCharacters(_ bytes: UnsafeBufferPointer<UInt8>, scripts: Set<NameScript>, allowComma: Bool = false) -> Bool {
        hasInvalidCharacters(bytes, scriptBits: scripts.reduce(0) { $0 | $1.bit }, allowComma: allowComma)
    }

    /// Strings variant of `characterCount(_:)`, for tests and tools.
    public static func characterCount(_ string: String) -> Int {
        var string = string
        return string.withUTF8 { characterCount($0) }
    }

    /// Strings variant of `hasInvalidCharacters(_:scripts:allowComma:)`.
    public static func hasInvalidCharacters(_ string: String, scripts: Set<NameScript> = NameScript.defaults, allowComma: Bool = false) -> Bool {
        var string = string
        return string.withUTF8 { hasInvalidCharacters($0, scripts: scripts, allowComma: allowComma) }
    }

    static func hasInvalidCharacters(_ bytes: UnsafeBufferPointer<UInt8>, scriptBits: UInt8, allowComma: Bool) -> Bool {
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte < 0x80 {
                index += 1
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"):
                    if scriptBits & NameScript.latin.bit == 0 { return true }
                case UInt8(ascii: " "), UInt8(ascii: "'"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "`"):
                    continue
                case UInt8(ascii: ","):
                    if !allowComma { return true }
                default:
                    return true
                }
                continue
            }
            let (scalar, length) = UTF8Decoding.scalar(in: bytes, at: index)
            index += length
            if !isAllowed(scalar, scriptBits: scriptBits) { return true }
        }
        return false
    }

    @inline(__always)
    static func isCombiningMark(_ scalar: UInt32) -> Bool {
        (0x0300...0x036F).contains(scalar) || (0x1AB0...0x1AFF).contains(scalar) || (0x1DC0...0x1DFF).contains(scalar)
    }

    private static func isAllowed(_ scalar: UInt32, scriptBits: UInt8) -> Bool {
        switch scalar {
        // Separators and apostrophes: no-break space, ´, ·, ʼ, ‐ ‑, ‘ ’
        case 0x00A0, 0x00B4, 0x00B7, 0x02BC, 0x2010, 0x2011, 0x2018, 0x2019:
            return true
        case 0x0300...0x036F, 0x1AB0...0x1AFF, 0x1DC0...0x1DFF:
            return true  // combining marks, e.g. decomposed accents
        // Latin-1 letters (without × and ÷), Latin Extended-A/B, IPA-free extensions, Latin Extended Additional
        case 0x00C0...0x00D6, 0x00D8...0x00F6, 0x00F8...0x024F, 0x1E00...0x1EFF:
            return scriptBits & NameScript.latin.bit != 0
        // Greek letters (tonos forms included, punctuation excluded) and Greek Extended
        case 0x0386, 0x0388...0x038A, 0x038C, 0x038E...0x03A1, 0x03A3...0x03FF, 0x1F00...0x1FFF:
            return scriptBits & NameScript.greek.bit != 0
        case 0x0400...0x04FF:
            return scriptBits & NameScript.cyrillic.bit != 0
        default:
            return false
        }
    }
}
