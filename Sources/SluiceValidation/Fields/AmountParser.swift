/// Reads amounts as debtor files write them.
///
/// Accepted: a currency symbol `€`, `$` or `£` before or after the number, spaces around it,
/// a leading sign, EU format (`1.234,56`, `12,50`), US format (`1,234.56`, `12.50`), and
/// thousands grouped by spaces, no-break spaces or apostrophes (`1 234,56`, `1'234.56`).
/// Thousands groups must have three digits; at most two decimals.
///
/// One separator followed by exactly three digits (`1,234` or `1.234`) is ambiguous: a thousands
/// separator in one convention, a decimal point with three decimals in the other. Charging 1000
/// times too much (or too little) is worse than asking, so by default such a value is refused as
/// `amount.format`; `AmbiguousSeparator.thousands` reads it as a thousands separator instead.
public enum AmountParser {
    /// What to do with `1,234` and `1.234`.
    public enum AmbiguousSeparator: String, Sendable, Hashable, Codable {
        /// Refuse the value.
        case reject
        /// Read the separator as a thousands separator: 1234.
        case thousands
    }

    /// Why an amount could not be read.
    public enum Failure: Error, Sendable, Hashable {
        case empty
        case format
        case ambiguous
    }

    /// Parses `bytes` into cents. Allocation-free.
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>, ambiguous: AmbiguousSeparator = .reject) -> Result<ParsedAmount, Failure> {
        var start = 0
        var end = bytes.count
        skipSpaces(bytes, &start, end)
        skipTrailingSpaces(bytes, start, &end)
        if start == end { return .failure(.empty) }

        var symbol: String?
        if let (currency, length) = symbolAt(bytes, start, end) {
            symbol = currency
            start += length
            skipSpaces(bytes, &start, end)
        } else if let (currency, length) = symbolBefore(bytes, start, end) {
            symbol = currency
            end -= length
            skipTrailingSpaces(bytes, start, &end)
        }

        var negative = false
        if start < end && (bytes[start] == UInt8(ascii: "-") || bytes[start] == UInt8(ascii: "+")) {
            negative = bytes[start] == UInt8(ascii: "-")
            start += 1
        }
        guard start < end else { return .failure(.format) }

        // Digit groups and the separators between them.
        var integer: Int64 = 0     // all digits read so far, as one number
        var digitCount = 0
        var groupLengths = (first: 0, last: 0)
        var groupCount = 0
        var separators = 0
        var lastSeparator = Separator.none
        var otherSeparator = Separator.none   // the separator type of all groups but the last
        var middleGroupsOK = true
        var currentGroup = 0
        var index = start
        while index < end {
            let byte = bytes[index]
            if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                digitCount += 1
                guard digitCount <= 15 else { return .failure(.format) }
                integer = integer * 10 + Int64(byte - UInt8(ascii: "0"))
                currentGroup += 1
                index += 1
                continue
            }
            guard let (separator, length) = separatorAt(bytes, index, end), currentGroup > 0 else { return .failure(.format) }
            // Close the group before this separator.
            if groupCount == 0 {
                groupLengths.first = currentGroup
            } else if currentGroup != 3 {
                middleGroupsOK = false
            }
            groupCount += 1
            if separators > 0 {
                if otherSeparator == .none {
                    otherSeparator = lastSeparator
                } else if otherSeparator != lastSeparator {
                    return .failure(.format)
                }
            }
            lastSeparator = separator
            separators += 1
            currentGroup = 0
            index += length
        }
        guard currentGroup > 0 else { return .failure(.format) }
        groupLengths.last = currentGroup

        var cents: Int64
        if separators == 0 {
            cents = integer * 100
        } else {
            let firstGroupOK = groupLengths.first >= 1 && groupLengths.first <= 3
            let decimalCapable = lastSeparator == .dot || lastSeparator == .comma
            if decimalCapable && groupLengths.last <= 2 {
                // The last separator is the decimal point; the others must group thousands.
                if separators > 1 {
                    guard otherSeparator != lastSeparator, firstGroupOK, middleGroupsOK else { return .failure(.format) }
                }
                let scale: Int64 = groupLengths.last == 1 ? 10 : 1
                cents = integer * scale
            } else if groupLengths.last == 3 {
                // Every separator groups thousands.
                guard firstGroupOK, middleGroupsOK, separators == 1 || otherSeparator == lastSeparator else { return .failure(.format) }
                if separators == 1 && decimalCapable {
                    // "1,234" or "1.234"; "0,123" can only be a decimal with three places.
                    guard ambiguous == .thousands, !(groupLengths.first == 1 && integer / 1000 == 0) else {
                        return .failure(groupLengths.first == 1 && integer / 1000 == 0 ? .format : .ambiguous)
                    }
                }
                cents = integer * 100
            } else {
                return .failure(.format)
            }
        }
        return .success(ParsedAmount(cents: negative ? -cents : cents, symbolCurrency: symbol))
    }

    /// Parses an amount given as a string.
    public static func parse(_ string: String, ambiguous: AmbiguousSeparator = .reject) -> Result<ParsedAmount, Failure> {
        var string = string
        return string.withUTF8 { parse($0, ambiguous: ambiguous) }
    }

    private enum Separator: Equatable {
        case none, dot, comma, space, apostrophe
    }

    /// A separator at `index`: `.`, `,`, `'`, `’`, space, no-break space or narrow no-break space.
    @inline(__always)
    private static func separatorAt(_ bytes: UnsafeBufferPointer<UInt8>, _ index: Int, _ end: Int) -> (Separator, Int)? {
        switch bytes[index] {
        case UInt8(ascii: "."): return (.dot, 1)
        case UInt8(ascii: ","): return (.comma, 1)
        case UInt8(ascii: " "): return (.space, 1)
        case UInt8(ascii: "'"): return (.apostrophe, 1)
        case 0xC2 where index + 1 < end && bytes[index + 1] == 0xA0: return (.space, 2)
        case 0xE2 where index + 2 < end && bytes[index + 1] == 0x80 && bytes[index + 2] == 0xAF: return (.space, 3)
        case 0xE2 where index + 2 < end && bytes[index + 1] == 0x80 && bytes[index + 2] == 0x99: return (.apostrophe, 3)
        default: return nil
        }
    }

    @inline(__always)
    private static func isSpace(_ bytes: UnsafeBufferPointer<UInt8>, _ index: Int, _ end: Int) -> Int {
        let byte = bytes[index]
        if byte == 0x20 || byte == 0x09 { return 1 }
        if byte == 0xC2 && index + 1 < end && bytes[index + 1] == 0xA0 { return 2 }
        if byte == 0xE2 && index + 2 < end && bytes[index + 1] == 0x80 && bytes[index + 2] == 0xAF { return 3 }
        return 0
    }

    private static func skipSpaces(_ bytes: UnsafeBufferPointer<UInt8>, _ start: inout Int, _ end: Int) {
        while start < end {
            let length = isSpace(bytes, start, end)
            if length == 0 { return }
            start += length
        }
    }

    private static func skipTrailingSpaces(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: inout Int) {
        while end > start {
            let byte = bytes[end - 1]
            if byte == 0x20 || byte == 0x09 {
                end -= 1
            } else if end - start >= 2 && bytes[end - 2] == 0xC2 && byte == 0xA0 {
                end -= 2
            } else if end - start >= 3 && bytes[end - 3] == 0xE2 && bytes[end - 2] == 0x80 && byte == 0xAF {
                end -= 3
            } else {
                return
            }
        }
    }

    /// `€` (E2 82 AC), `$` or `£` (C2 A3) at `start`.
    private static func symbolAt(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> (String, Int)? {
        if bytes[start] == UInt8(ascii: "$") { return ("USD", 1) }
        if end - start >= 2 && bytes[start] == 0xC2 && bytes[start + 1] == 0xA3 { return ("GBP", 2) }
        if end - start >= 3 && bytes[start] == 0xE2 && bytes[start + 1] == 0x82 && bytes[start + 2] == 0xAC { return ("EUR", 3) }
        return nil
    }

    /// `€`, `$` or `£` ending at `end`.
    private static func symbolBefore(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> (String, Int)? {
        if bytes[end - 1] == UInt8(ascii: "$") { return ("USD", 1) }
        if end - start >= 2 && bytes[end - 2] == 0xC2 && bytes[end - 1] == 0xA3 { return ("GBP", 2) }
        if end - start >= 3 && bytes[end - 3] == 0xE2 && bytes[end - 2] == 0x82 && bytes[end - 1] == 0xAC { return ("EUR", 3) }
        return nil
    }
}
