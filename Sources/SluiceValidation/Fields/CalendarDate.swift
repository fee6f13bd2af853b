import Foundation

/// A day in the proleptic Gregorian calendar, without time or zone.
public struct CalendarDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// 1...9999.
    public let year: Int
    /// 1...12.
    public let month: Int
    /// 1...31, as the month allows.
    public let day: Int

    /// A date, or `nil` when no such day exists (2023-02-29, 2020-13-01).
    public init?(year: Int, month: Int, day: Int) {
        guard year >= 1, year <= 9999, month >= 1, month <= 12, day >= 1,
              day <= CalendarDate.daysIn(month: month, year: year)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// The date `days` days after 1970-01-01.
    public init(daysSinceEpoch days: Int) {
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shifted = (5 * dayOfYear + 2) / 153
        day = dayOfYear - (153 * shifted + 2) / 5 + 1
        month = shifted < 10 ? shifted + 3 : shifted - 9
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    }

    /// The date of an Excel serial number (1900 date system): 1 is 1900-01-01, and serial 60 is
    /// Excel's non-existent 1900-02-29, refused. `nil` outside 1...2958465 (9999-12-31).
    public init?(excelSerial serial: Int) {
        guard serial >= 1, serial <= 2_958_465, serial != 60 else { return nil }
        // 1899-12-31 is day -25568; from serial 61 on, Excel counts its phantom leap day.
        self.init(daysSinceEpoch: serial - 25_568 - (serial > 60 ? 1 : 0))
    }

    /// Days from 1970-01-01 to this date.
    public var daysSinceEpoch: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// Today in UTC, from the system clock.
    public static func today() -> CalendarDate {
        let seconds = Int(Date().timeIntervalSince1970)
        return CalendarDate(daysSinceEpoch: seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400)
    }

    /// ISO 8601, `YYYY-MM-DD`.
    public var description: String {
        var bytes: [UInt8] = []
        appendISO(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `YYYY-MM-DD` to `output`.
    func appendISO(to output: inout [UInt8]) {
        let zero = UInt8(ascii: "0")
        output.append(zero + UInt8(year / 1000 % 10))
        output.append(zero + UInt8(year / 100 % 10))
        output.append(zero + UInt8(year / 10 % 10))
        output.append(zero + UInt8(year % 10))
        output.append(UInt8(ascii: "-"))
        output.append(zero + UInt8(month / 10))
        output.append(zero + UInt8(month % 10))
        output.append(UInt8(ascii: "-"))
        output.append(zero + UInt8(day / 10))
        output.append(zero + UInt8(day % 10))
    }

    public static func < (lhs: CalendarDate, rhs: CalendarDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}
