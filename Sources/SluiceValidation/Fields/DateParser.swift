/// Reads dates in a list of formats, tried in order; the first that yields a real day wins.
///
/// A time after the date (`2024-03-01 00:00:00`, `2024-03-01T12:30`) is ignored. Two-digit
/// years follow POSIX: 69–99 are 1969–1999, 00–68 are 2000–2068.
public struct DateParser: Sendable, Hashable {
    /// The formats, in the order they are tried.
    public let formats: [DateFormat]

    /// A parser trying `formats` in order; the operator's list by default.
    public init(formats: [DateFormat] = DateFormat.defaults) {
        self.formats = formats
    }

    /// The date in `bytes`, or `nil` when no format reads it as an existing day. Allocation-free.
    public func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> CalendarDate? {
        let range = UTF8Decoding.trimmed(bytes)
        guard !range.isEmpty else { return nil }
        for format in formats {
            if let date = DateParser.parse(bytes, range, format) { return date }
        }
        return nil
    }

    /// The date in `string`; see `parse(_:)` on bytes.
    public func parse(_ string: String) -> CalendarDate? {
        var string = string
        return string.withUTF8 { parse($0) }
    }

    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ format: DateFormat) -> CalendarDate? {
        if format.isExcelSerial { return excelSerial(bytes, range) }
        var index = range.lowerBound
        let end = range.upperBound
        var year = 0
        var month = 0
        var day = 0
        for token in format.tokens {
            switch token {
            case .literal(let byte):
                guard index < end, bytes[index] == byte else { return nil }
                index += 1
            case .year4:
                guard let value = number(bytes, &index, end, min: 4, max: 4) else { return nil }
                year = value
            case .year2:
                guard let value = number(bytes, &index, end, min: 2, max: 2) else { return nil }
                year = value >= 69 ? 1900 + value : 2000 + value
            case .month:
                guard let value = number(bytes, &index, end, min: 1, max: 2) else { return nil }
                month = value
            case .day:
                guard let value = number(bytes, &index, end, min: 1, max: 2) else { return nil }
                day = value
            }
        }
        guard index == end || isTime(bytes, index, end) else { return nil }
        return CalendarDate(year: year, month: month, day: day)
    }

    /// Digits, optionally with a fractional part (a time of day), read as an Excel serial.
    private static func excelSerial(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> CalendarDate? {
        var index = range.lowerBound
        guard let serial = number(bytes, &index, range.upperBound, min: 1, max: 7) else { return nil }
        if index < range.upperBound {
            guard bytes[index] == UInt8(ascii: "."), index + 1 < range.upperBound else { return nil }
            for position in (index + 1)..<range.upperBound where !isDigit(bytes[position]) { return nil }
        }
        return CalendarDate(excelSerial: serial)
    }

    /// ` HH:MM[:SS[.fff]]` or `THH:MM…` after a date.
    private static func isTime(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        guard bytes[start] == UInt8(ascii: " ") || bytes[start] == UInt8(ascii: "T"), start + 1 < end else { return false }
        var colons = 0
        for index in (start + 1)..<end {
            let byte = bytes[index]
            if byte == UInt8(ascii: ":") {
                colons += 1
            } else if !isDigit(byte) && byte != UInt8(ascii: ".") {
                return false
            }
        }
        return colons >= 1
    }

    @inline(__always)
    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    /// Between `min` and `max` digits at `index`; stops at the first non-digit.
    @inline(__always)
    private static func number(_ bytes: UnsafeBufferPointer<UInt8>, _ index: inout Int, _ end: Int, min: Int, max: Int) -> Int? {
        var value = 0
        var count = 0
        while index < end, count < max, isDigit(bytes[index]) {
            value = value * 10 + Int(bytes[index] - UInt8(ascii: "0"))
            count += 1
            index += 1
        }
        if count == max, index < end, isDigit(bytes[index]) { return nil }
        return count >= min ? value : nil
    }
}
