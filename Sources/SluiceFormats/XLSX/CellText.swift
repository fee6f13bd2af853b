#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The text form of cell values that every stage sees: numbers the shortest way that
/// round-trips without `.0` on integers, dates as `YYYY-MM-DD`, date-times as
/// `YYYY-MM-DDTHH:MM:SS`.
enum CellText {
    /// A non-negative decimal integer, or `nil`.
    @inline(__always)
    static func parseInt<C: Collection<UInt8>>(_ bytes: C) -> Int? {
        guard !bytes.isEmpty, bytes.count <= 18 else { return nil }
        var value = 0
        for byte in bytes {
            guard byte >= 0x30 && byte <= 0x39 else { return nil }
            value = value * 10 + Int(byte - 0x30)
        }
        return value
    }

    /// Characters (Unicode scalars) in UTF-8 bytes.
    static func characterCount(_ bytes: [UInt8]) -> Int {
        var count = 0
        for byte in bytes where byte & 0xC0 != 0x80 { count += 1 }
        return count
    }

    /// Replaces OOXML's `_xHHHH_` escapes (how writers store control characters such as CR)
    /// by the character.
    static func decodeEscapes(_ bytes: inout [UInt8]) {
        guard bytes.count >= 7, bytes.withUnsafeBufferPointer({ memchr($0.baseAddress!, 0x5F, $0.count) != nil }) else { return }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "_"), index + 6 < bytes.count, bytes[index + 1] == UInt8(ascii: "x"),
               bytes[index + 6] == UInt8(ascii: "_"), let scalar = hexScalar(bytes[(index + 2)..<(index + 6)]) {
                out.append(contentsOf: Array(String(Character(scalar)).utf8))
                index += 7
            } else {
                out.append(bytes[index])
                index += 1
            }
        }
        bytes = out
    }

    private static func hexScalar(_ digits: ArraySlice<UInt8>) -> Unicode.Scalar? {
        var value: UInt32 = 0
        for byte in digits {
            let digit: UInt32
            switch byte {
            case 0x30...0x39: digit = UInt32(byte - 0x30)
            case 0x41...0x46: digit = UInt32(byte - 0x41 + 10)
            case 0x61...0x66: digit = UInt32(byte - 0x61 + 10)
            default: return nil
            }
            value = value * 16 + digit
        }
        return Unicode.Scalar(value)
    }

    // MARK: - Numbers

    /// Appends the number stored as `text` in its shortest round-trip form.
    ///
    /// Text that is already canonical (at most 15 significant digits, no exponent, no
    /// superfluous zeros) is copied: 15 digits always survive a trip through a double, so no
    /// shorter text can name the same value. Anything else goes through `Double`.
    static func appendNumber(_ text: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        if isCanonical(text) {
            out.append(contentsOf: text)
            return
        }
        guard let value = parseDouble(text) else {
            out.append(contentsOf: text)
            return
        }
        appendDouble(value, to: &out)
    }

    @inline(__always)
    static func isCanonical(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = 0
        let count = text.count
        if count == 0 { return false }
        if text[0] == UInt8(ascii: "-") { index = 1 }
        guard index < count else { return false }
        var digits = 0
        var significant = false
        // Integer part: "0" alone, or no leading zero.
        if text[index] == UInt8(ascii: "0") {
            index += 1
            if index < count && text[index] != UInt8(ascii: ".") { return false }
        }
        while index < count, text[index] >= 0x30, text[index] <= 0x39 {
            digits += 1
            significant = true
            index += 1
        }
        if index == count {
            // "-0" is left to the slow path.
            return digits > 0 ? digits <= 15 : !(text[0] == UInt8(ascii: "-"))
        }
        guard text[index] == UInt8(ascii: ".") else { return false }
        index += 1
        guard index < count, text[count - 1] != UInt8(ascii: "0") else { return false }
        while index < count {
            let byte = text[index]
            guard byte >= 0x30 && byte <= 0x39 else { return false }
            if byte != 0x30 { significant = true }
            if significant { digits += 1 }
            index += 1
        }
        return digits <= 15
    }

    static func parseDouble(_ text: UnsafeBufferPointer<UInt8>) -> Double? {
        guard text.count < 64 else { return nil }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: 65) { buffer -> Double? in
            for index in 0..<text.count { buffer[index] = CChar(bitPattern: text[index]) }
            buffer[text.count] = 0
            var end: UnsafeMutablePointer<CChar>?
            let value = strtod(buffer.baseAddress!, &end)
            guard let end, end == buffer.baseAddress! + text.count, value.isFinite else { return nil }
            return value
        }
    }

    /// The shortest round-trip digits of `value`, written without exponent and without `.0`.
    static func appendDouble(_ value: Double, to out: inout [UInt8]) {
        if value == 0 {
            out.append(UInt8(ascii: "0"))
            return
        }
        // Swift's description is the shortest round-trip form; only its layout is changed.
        let text = Array(value.description.utf8)
        var index = 0
        var negative = false
        if text.first == UInt8(ascii: "-") {
            negative = true
            index = 1
        }
        var digits: [UInt8] = []
        var point: Int?
        while index < text.count, text[index] != UInt8(ascii: "e"), text[index] != UInt8(ascii: "E") {
            if text[index] == UInt8(ascii: ".") { point = digits.count } else { digits.append(text[index]) }
            index += 1
        }
        var exponent = 0
        if index < text.count {
            var sign = 1
            index += 1
            if index < text.count, text[index] == UInt8(ascii: "-") { sign = -1; index += 1 } else if index < text.count, text[index] == UInt8(ascii: "+") { index += 1 }
            while index < text.count { exponent = exponent * 10 + Int(text[index] - 0x30); index += 1 }
            exponent *= sign
        }
        var pointPosition = (point ?? digits.count) + exponent
        while let first = digits.first, first == UInt8(ascii: "0") {
            digits.removeFirst()
            pointPosition -= 1
        }
        while let last = digits.last, last == UInt8(ascii: "0") { digits.removeLast() }
        if digits.isEmpty {
            out.append(UInt8(ascii: "0"))
            return
        }
        if negative { out.append(UInt8(ascii: "-")) }
        if pointPosition <= 0 {
            out.append(contentsOf: [UInt8(ascii: "0"), UInt8(ascii: ".")])
            out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: -pointPosition))
            out.append(contentsOf: digits)
        } else if pointPosition >= digits.count {
            out.append(contentsOf: digits)
            out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: pointPosition - digits.count))
        } else {
            out.append(contentsOf: digits[..<pointPosition])
            out.append(UInt8(ascii: "."))
            out.append(contentsOf: digits[pointPosition...])
        }
    }

    // MARK: - Dates

    /// Appends an Excel serial date as `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM:SS` or `HH:MM:SS`.
    /// Returns `false` (appending nothing) for serials no date can have.
    static func appendDate(serial: Double, kind: DateKind, date1904: Bool, to out: inout [UInt8]) -> Bool {
        guard serial >= 0, serial < 2_958_466 else { return false }
        var days = Int(serial.rounded(.down))
        // Excel keeps times to the millisecond; round to the second.
        var seconds = Int(((serial - Double(days)) * 86_400).rounded())
        if seconds >= 86_400 {
            days += 1
            seconds -= 86_400
        }
        if kind == .time && days == 0 || (!date1904 && days == 0) {
            guard kind != .date else { return false }
            appendTime(seconds, to: &out)
            return true
        }
        let year: Int, month: Int, day: Int
        if !date1904 && days == 60 {
            // Excel's 1900 leap-year bug: serial 60 is 29 February 1900, a day that never was.
            (year, month, day) = (1900, 2, 29)
        } else {
            // Days since 1970-01-01. Serials before the phantom day are one day off.
            let unixDay = date1904 ? days - 24_107 : (days < 60 ? days - 25_568 : days - 25_569)
            (year, month, day) = civil(fromUnixDay: unixDay)
        }
        appendDigits(year, width: 4, to: &out)
        out.append(UInt8(ascii: "-"))
        appendDigits(month, width: 2, to: &out)
        out.append(UInt8(ascii: "-"))
        appendDigits(day, width: 2, to: &out)
        if kind != .date {
            out.append(UInt8(ascii: "T"))
            appendTime(seconds, to: &out)
        }
        return true
    }

    private static func appendTime(_ seconds: Int, to out: inout [UInt8]) {
        appendDigits(seconds / 3600, width: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        appendDigits(seconds / 60 % 60, width: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        appendDigits(seconds % 60, width: 2, to: &out)
    }

    @inline(__always)
    static func appendDigits(_ value: Int, width: Int, to out: inout [UInt8]) {
        var divisor = 1
        for _ in 1..<width { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            out.append(UInt8(0x30 + (rest / divisor) % 10))
            rest %= divisor
            divisor /= 10
        }
    }

    /// Howard Hinnant's civil-from-days.
    static func civil(fromUnixDay unixDay: Int) -> (Int, Int, Int) {
        let z = unixDay + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

/// How a date-formatted cell is written.
enum DateKind: UInt8, Sendable {
    case none = 0
    case date = 1
    case dateTime = 2
    case time = 3
}
