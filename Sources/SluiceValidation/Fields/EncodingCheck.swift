/// Finds text that was damaged on its way into the file: U+FFFD replacement characters,
/// mojibake (UTF-8 read as Windows-1252 or Latin-1: `Ã©` for `é`, `â€™` for `’`), control
/// characters, and bytes that are not UTF-8.
///
/// The mojibake test is a heuristic: a Latin-1 letter that would be a UTF-8 lead byte (`Â`–`ß`
/// for two-byte, `à`–`ï` for three-byte sequences) followed by characters that would be UTF-8
/// continuation bytes (U+0080–U+00BF, or their Windows-1252 look-alikes such as `€`, `™`, `Ÿ`).
/// Real names practically never contain such pairs.
public enum EncodingCheck {
    /// Whether `bytes` shows broken encoding.
    ///
    /// - Parameter allowLineBreaks: accept tab, LF and CR (addresses may span lines); names accept no control character.
    public static func isBroken(_ bytes: UnsafeBufferPointer<UInt8>, allowLineBreaks: Bool) -> Bool {
        var index = 0
        var pendingLead: UInt32 = 0   // continuation-like characters still expected after a lead
        let count = bytes.count
        // Most values are plain printable ASCII: skip them eight bytes at a time.
        if let base = bytes.baseAddress {
            while index + 8 <= count && isPrintableASCII(UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)) {
                index += 8
            }
        }
        while index < count {
            let byte = bytes[index]
            if byte < 0x80 {
                if byte < 0x20 || byte == 0x7F {
                    if !(allowLineBreaks && (byte == 0x09 || byte == 0x0A || byte == 0x0D)) { return true }
                }
                pendingLead = 0
                index += 1
                continue
            }
            let (scalar, length) = UTF8Decoding.scalar(in: bytes, at: index)
            index += length
            if scalar == UTF8Decoding.invalid || scalar == 0xFFFD { return true }
            if scalar >= 0x80 && scalar <= 0x9F { return true }  // C1 controls
            if pendingLead > 0 {
                if isContinuationLookAlike(scalar) {
                    pendingLead -= 1
                    if pendingLead == 0 { return true }
                    continue
                }
                pendingLead = 0
            }
            if scalar >= 0xC2 && scalar <= 0xDF {
                pendingLead = 1
            } else if scalar >= 0xE0 && scalar <= 0xEF {
                pendingLead = 2
            }
        }
        return false
    }

    /// Whether `string` shows broken encoding; see `isBroken(_:allowLineBreaks:)`.
    public static func isBroken(_ string: String, allowLineBreaks: Bool = false) -> Bool {
        var string = string
        return string.withUTF8 { isBroken($0, allowLineBreaks: allowLineBreaks) }
    }

    /// Whether all eight bytes of `word` are in 0x20…0x7E (SWAR: no high bit, none below
    /// 0x20, none equal to 0x7F).
    @inline(__always)
    static func isPrintableASCII(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let belowSpace = (word &- ones &* 0x20) & ~word & highs
        let isDelete = ((word ^ (ones &* 0x7F)) &- ones) & ~(word ^ (ones &* 0x7F)) & highs
        return (word & highs) | belowSpace | isDelete == 0
    }

    /// U+00A0–U+00BF, and the characters Windows-1252 shows for bytes 0x80–0x9F.
    @inline(__always)
    private static func isContinuationLookAlike(_ scalar: UInt32) -> Bool {
        if scalar >= 0xA0 && scalar <= 0xBF { return true }
        switch scalar {
        case 0x20AC, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039,
             0x0152, 0x017D, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122,
             0x0161, 0x203A, 0x0153, 0x017E, 0x0178:
            return true
        default:
            return false
        }
    }
}
