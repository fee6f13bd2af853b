/// Typed fields of binary COPY, each read from the canonical text the cast stage writes
/// (`TypeCastStage`). Every writer returns `false`, having written nothing, for bytes that are
/// not in its canonical form; the encoder then fails the batch rather than guess.
extension CopyBinaryWriter {
    /// Days from 1970-01-01 to 2000-01-01, PostgreSQL's epoch for dates and timestamps.
    static let postgresEpochDays = 10_957

    /// A field of `encoding` from `bytes[start..<end]`; an empty span is NULL.
    @inline(__always)
    mutating func value(_ encoding: CopyValueEncoding, _ bytes: UnsafePointer<UInt8>, start: Int, end: Int) -> Bool {
        if end == start {
            int32(-1)
            return true
        }
        switch encoding {
        case .text:
            text(bytes, start: start, end: end, emptyIsNull: true)
            return true
        case .bigint:
            guard let number = Self.integer(bytes, start, end) else { return false }
            bigint(number)
            return true
        case .numeric:
            return numeric(bytes, start: start, end: end)
        case .date:
            guard end - start == 10, let days = Self.days(bytes, start) else { return false }
            int32(4)
            int32(Int32(days - Self.postgresEpochDays))
            return true
        case .timestamptz:
            guard let microseconds = Self.timestamp(bytes, start, end) else { return false }
            bigint(microseconds)
            return true
        case .boolean:
            let length = end - start
            let truth: UInt8
            if length == 4 && bytes[start] == UInt8(ascii: "t") && bytes[start + 1] == UInt8(ascii: "r")
                && bytes[start + 2] == UInt8(ascii: "u") && bytes[start + 3] == UInt8(ascii: "e") {
                truth = 1
            } else if length == 5 && bytes[start] == UInt8(ascii: "f") && bytes[start + 1] == UInt8(ascii: "a")
                && bytes[start + 2] == UInt8(ascii: "l") && bytes[start + 3] == UInt8(ascii: "s") && bytes[start + 4] == UInt8(ascii: "e") {
                truth = 0
            } else {
                return false
            }
            int32(1)
            base[count] = truth
            count += 1
            return true
        }
    }

    /// A `numeric` field from `-?digits[.digits]`.
    ///
    /// PostgreSQL's binary numeric: ndigits, weight (of the first base-10000 digit, in groups
    /// from the decimal point), sign (0 or 0x4000), dscale (decimals shown), then ndigits
    /// 16-bit base-10000 digits without leading or trailing zero groups. The integer digits
    /// group from the point leftwards and the decimals from the point rightwards, so
    /// `12345.6` is [1][2345][6000] with weight 1 and dscale 1.
    mutating func numeric(_ bytes: UnsafePointer<UInt8>, start: Int, end: Int) -> Bool {
        var index = start
        let negative = bytes[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        while index < end && bytes[index] == UInt8(ascii: "0") { index += 1 }
        let integerStart = index
        while index < end && Self.isDigit(bytes[index]) { index += 1 }
        let integerEnd = index
        var fractionStart = index
        var fractionEnd = index
        if index < end && bytes[index] == UInt8(ascii: ".") {
            index += 1
            fractionStart = index
            while index < end && Self.isDigit(bytes[index]) { index += 1 }
            fractionEnd = index
        }
        let sawDigit = integerEnd > (negative ? start + 1 : start) || fractionEnd > fractionStart
        guard index == end, sawDigit else { return false }
        let integerDigits = integerEnd - integerStart
        let scale = fractionEnd - fractionStart
        guard scale <= 0x3FFF else { return false }

        let integerGroups = (integerDigits + 3) / 4
        let groups = integerGroups + (scale + 3) / 4
        // The digits as one run aligned on groups: zeros on the left, then the integer
        // digits, then the decimals, then zeros on the right.
        let leftPad = integerGroups * 4 - integerDigits
        func digit(_ position: Int) -> Int16 {
            let offset = position - leftPad
            if offset < 0 { return 0 }
            if offset < integerDigits { return Int16(bytes[integerStart + offset] &- UInt8(ascii: "0")) }
            let decimal = offset - integerDigits
            return decimal < scale ? Int16(bytes[fractionStart + decimal] &- UInt8(ascii: "0")) : 0
        }

        let lengthAt = count
        count += 4 + 8
        var weight = integerGroups - 1
        var written = 0
        var nonZeroWritten = 0
        for group in 0..<groups {
            let position = group * 4
            let value = ((digit(position) * 10 + digit(position + 1)) * 10 + digit(position + 2)) * 10 + digit(position + 3)
            if written == 0 && value == 0 {
                weight -= 1  // a leading zero group is not sent
                continue
            }
            int16(value)
            written += 1
            if value != 0 { nonZeroWritten = written }
        }
        count -= 2 * (written - nonZeroWritten)  // nor are trailing zero groups
        let digits = nonZeroWritten
        if digits == 0 { weight = 0 }
        let end = count
        count = lengthAt
        int32(Int32(8 + 2 * digits))
        int16(Int16(digits))
        int16(Int16(weight))
        int16(negative && digits > 0 ? 0x4000 : 0)
        int16(Int16(scale))
        count = end
        return true
    }

    // MARK: Canonical text

    @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }

    /// `-?digits` within `Int64`.
    static func integer(_ bytes: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Int64? {
        var index = start
        let negative = bytes[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        guard index < end, end - index <= 19 else { return nil }
        // Accumulated negative, so that Int64.min fits.
        var number: Int64 = 0
        while index < end {
            let digit = bytes[index] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            let (shifted, overflow) = number.multipliedReportingOverflow(by: 10)
            let (next, overflow2) = shifted.subtractingReportingOverflow(Int64(digit))
            guard !overflow, !overflow2 else { return nil }
            number = next
            index += 1
        }
        if negative { return number }
        return number == Int64.min ? nil : -number
    }

    /// `n` digits at `index`.
    @inline(__always)
    static func digits(_ bytes: UnsafePointer<UInt8>, _ index: Int, _ n: Int) -> Int? {
        var value = 0
        for offset in 0..<n {
            let digit = bytes[index + offset] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            value = value * 10 + Int(digit)
        }
        return value
    }

    /// Days from 1970-01-01 to the `YYYY-MM-DD` at `index`, or `nil` for no real day.
    static func days(_ bytes: UnsafePointer<UInt8>, _ index: Int) -> Int? {
        guard bytes[index + 4] == UInt8(ascii: "-"), bytes[index + 7] == UInt8(ascii: "-"),
              let year = digits(bytes, index, 4), let month = digits(bytes, index + 5, 2), let day = digits(bytes, index + 8, 2),
              year >= 1, (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year)
        else { return nil }
        // Howard Hinnant's days_from_civil.
        let y = month <= 2 ? year - 1 : year
        let era = y / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Microseconds since 2000-01-01T00:00:00Z from `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
    static func timestamp(_ bytes: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Int64? {
        guard end - start == 27, bytes[start + 10] == UInt8(ascii: "T"), bytes[start + 13] == UInt8(ascii: ":"),
              bytes[start + 16] == UInt8(ascii: ":"), bytes[start + 19] == UInt8(ascii: "."), bytes[start + 26] == UInt8(ascii: "Z"),
              let days = days(bytes, start),
              let hour = digits(bytes, start + 11, 2), hour < 24, let minute = digits(bytes, start + 14, 2), minute < 60,
              let second = digits(bytes, start + 17, 2), second < 60, let micro = digits(bytes, start + 20, 6)
        else { return nil }
        let seconds = Int64(days - postgresEpochDays) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        return seconds * 1_000_000 + Int64(micro)
    }
}
