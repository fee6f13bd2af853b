/// Reads a `timestamp` column's value: ISO 8601,
/// `YYYY-MM-DD[T| ]HH:MM[:SS[.ffffff]][Z|±HH[:MM]]`, or a date alone (midnight). A value
/// without a zone is UTC.
///
/// The canonical form is the instant in UTC with microseconds,
/// `YYYY-MM-DDTHH:MM:SS.ffffffZ`: one spelling per instant, so dedup keys compare equal
/// however the file wrote the zone. More than six decimals of a second (which PostgreSQL
/// would round away), hour 24, second 60, and instants outside years 1–9999 in UTC do not fit.
enum TimestampCast {
    /// The parts of a timestamp, in UTC.
    struct Instant: Hashable {
        /// Seconds since 1970-01-01T00:00:00Z.
        var seconds: Int
        /// 0...999_999.
        var microseconds: Int
    }

    /// Checks `value` (trimmed, not empty) and appends its canonical form to `output` (the
    /// caller sees whether it equals the value).
    static func cast(_ value: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) -> CastOutcome {
        guard let instant = parse(value) else { return .misfit }
        let days = instant.seconds >= 0 ? instant.seconds / 86_400 : (instant.seconds - 86_399) / 86_400
        let date = CalendarDate(daysSinceEpoch: days)
        guard date.year >= 1 && date.year <= 9999 else { return .misfit }
        let time = instant.seconds - days * 86_400
        date.appendISO(to: &output)
        output.append(UInt8(ascii: "T"))
        appendTwo(time / 3600, to: &output)
        output.append(UInt8(ascii: ":"))
        appendTwo(time / 60 % 60, to: &output)
        output.append(UInt8(ascii: ":"))
        appendTwo(time % 60, to: &output)
        output.append(UInt8(ascii: "."))
        var divisor = 100_000
        while divisor > 0 {
            output.append(UInt8(ascii: "0") + UInt8(instant.microseconds / divisor % 10))
            divisor /= 10
        }
        output.append(UInt8(ascii: "Z"))
        return .appended
    }

    /// The instant `value` names, or `nil` when it is not of the accepted form or names no
    /// real day or time.
    static func parse(_ value: UnsafeBufferPointer<UInt8>) -> Instant? {
        var reader = Reader(bytes: value)
        guard let year = reader.digits(4), reader.skip(UInt8(ascii: "-")), let month = reader.digits(2),
              reader.skip(UInt8(ascii: "-")), let day = reader.digits(2),
              let date = CalendarDate(year: year, month: month, day: day)
        else { return nil }
        var seconds = date.daysSinceEpoch * 86_400
        var microseconds = 0
        if reader.atEnd { return Instant(seconds: seconds, microseconds: 0) }

        guard reader.skip(UInt8(ascii: "T")) || reader.skip(UInt8(ascii: "t")) || reader.skip(UInt8(ascii: " ")),
              let hour = reader.digits(2), hour < 24, reader.skip(UInt8(ascii: ":")), let minute = reader.digits(2), minute < 60
        else { return nil }
        seconds += hour * 3600 + minute * 60
        if reader.skip(UInt8(ascii: ":")) {
            guard let second = reader.digits(2), second < 60 else { return nil }
            seconds += second
            if reader.skip(UInt8(ascii: ".")) {
                var count = 0
                while let digit = reader.digit() {
                    count += 1
                    guard count <= 6 else { return nil }
                    microseconds = microseconds * 10 + digit
                }
                guard count > 0 else { return nil }
                for _ in count..<6 { microseconds *= 10 }
            }
        }
        if reader.atEnd { return Instant(seconds: seconds, microseconds: microseconds) }

        if reader.skip(UInt8(ascii: "Z")) || reader.skip(UInt8(ascii: "z")) {
            return reader.atEnd ? Instant(seconds: seconds, microseconds: microseconds) : nil
        }
        let sign: Int
        if reader.skip(UInt8(ascii: "+")) {
            sign = 1
        } else if reader.skip(UInt8(ascii: "-")) {
            sign = -1
        } else {
            return nil
        }
        guard let offsetHours = reader.digits(2), offsetHours <= 15 else { return nil }
        var offsetMinutes = 0
        if !reader.atEnd {
            _ = reader.skip(UInt8(ascii: ":"))
            guard let minutes = reader.digits(2), minutes < 60 else { return nil }
            offsetMinutes = minutes
        }
        guard reader.atEnd else { return nil }
        // 12:00+02:00 is 10:00 in UTC.
        seconds -= sign * (offsetHours * 3600 + offsetMinutes * 60)
        return Instant(seconds: seconds, microseconds: microseconds)
    }

    private static func appendTwo(_ number: Int, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "0") + UInt8(number / 10))
        output.append(UInt8(ascii: "0") + UInt8(number % 10))
    }

    /// A cursor over the value's bytes.
    private struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        var atEnd: Bool { index == bytes.count }

        mutating func skip(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        mutating func digit() -> Int? {
            guard index < bytes.count else { return nil }
            let digit = bytes[index] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            index += 1
            return Int(digit)
        }

        /// Exactly `count` digits.
        mutating func digits(_ count: Int) -> Int? {
            var value = 0
            for _ in 0..<count {
                guard let digit = digit() else { return nil }
                value = value * 10 + digit
            }
            return value
        }
    }
}
