/// Checks the syntax of an e-mail address: one `@`, a local part of RFC 5322 "atext" characters
/// and dots (not first, last or doubled), and a domain of at least two labels with a top-level
/// label of two or more letters. UTF-8 letters are accepted in both parts (internationalised
/// addresses). Quoted local parts and IP-literal domains are refused: debtor files never hold them.
public enum EmailValidator {
    /// Whether `bytes`, trimmed, is a syntactically valid address.
    public static func isValid(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let range = UTF8Decoding.trimmed(bytes)
        guard !range.isEmpty, range.count <= 254 else { return false }
        var at = -1
        for index in range where bytes[index] == UInt8(ascii: "@") {
            guard at < 0 else { return false }
            at = index
        }
        guard at > range.lowerBound, at < range.upperBound - 1, at - range.lowerBound <= 64 else { return false }
        return isLocalPart(bytes, range.lowerBound..<at) && isDomain(bytes, (at + 1)..<range.upperBound)
    }

    /// Whether `string` is a syntactically valid address.
    public static func isValid(_ string: String) -> Bool {
        var string = string
        return string.withUTF8 { isValid($0) }
    }

    private static func isLocalPart(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        var previousDot = true  // a leading dot is refused like a doubled one
        for index in range {
            let byte = bytes[index]
            if byte == UInt8(ascii: ".") {
                if previousDot { return false }
                previousDot = true
                continue
            }
            previousDot = false
            if byte >= 0x80 { continue }
            if !localPartBytes[Int(byte)] { return false }
        }
        return !previousDot
    }

    /// ASCII bytes a local part may hold besides dots: letters, digits and RFC 5322 atext symbols.
    private static let localPartBytes: [Bool] = (0..<128).map { byte in
        let byte = UInt8(byte)
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-/=?^_`{|}~".utf8.contains(byte)
        }
    }

    private static func isDomain(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        guard range.count <= 253 else { return false }
        var labels = 0
        var labelStart = range.lowerBound
        var lastLabelAllLetters = true
        for index in range.lowerBound...range.upperBound {
            if index == range.upperBound || bytes[index] == UInt8(ascii: ".") {
                let label = labelStart..<index
                guard !label.isEmpty, label.count <= 63,
                      bytes[label.lowerBound] != UInt8(ascii: "-"), bytes[label.upperBound - 1] != UInt8(ascii: "-")
                else { return false }
                labels += 1
                // A top-level label is letters, or an internationalised one in punycode (xn--…).
                let isPunycode = label.count > 4 && bytes[label.lowerBound] | 0x20 == UInt8(ascii: "x")
                    && bytes[label.lowerBound + 1] | 0x20 == UInt8(ascii: "n")
                    && bytes[label.lowerBound + 2] == UInt8(ascii: "-") && bytes[label.lowerBound + 3] == UInt8(ascii: "-")
                lastLabelAllLetters = isPunycode || label.count >= 2 && label.allSatisfy {
                    bytes[$0] >= 0x80 || (bytes[$0] | 0x20 >= UInt8(ascii: "a") && bytes[$0] | 0x20 <= UInt8(ascii: "z"))
                }
                labelStart = index + 1
                continue
            }
            let byte = bytes[index]
            if byte >= 0x80 { continue }
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"):
                continue
            default:
                return false
            }
        }
        return labels >= 2 && lastLabelAllLetters
    }
}
