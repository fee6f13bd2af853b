import Foundation

/// The `Retry-After` header of an HTTP answer (RFC 9110 §10.2.3).
public enum RetryAfter {
    /// How long the header asks to wait, measured from `now`.
    ///
    /// The header holds either whole seconds (`120`) or an HTTP date in any of the three forms
    /// recipients must accept: IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), RFC 850
    /// (`Sunday, 06-Nov-94 08:49:37 GMT`) and asctime (`Sun Nov  6 08:49:37 1994`). A date in
    /// the past means no wait. Anything else (a negative or fractional number, a date in another
    /// zone or with impossible fields) is `nil`: no advice, so the caller's own backoff applies.
    /// Capping the wait is the caller's choice (`ProviderRetryPolicy.maxRetryAfter`).
    ///
    /// ```swift
    /// RetryAfter.parse("120", now: now)   // .seconds(120)
    /// RetryAfter.parse("soon", now: now)  // nil
    /// ```
    public static func parse(_ header: String, now: Date) -> Duration? {
        let value = header.trimmingCharacters(in: .whitespaces)
        guard let first = value.first else { return nil }
        if first.isASCII, first.isNumber {
            guard value.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            // Eighteen digits fit in an Int64; more is "wait forever", which a cap will cut.
            guard value.count <= 18, let seconds = Int64(value) else { return .seconds(Int64.max) }
            return .seconds(seconds)
        }
        guard let date = httpDate(value, now: now) else { return nil }
        let wait = date.timeIntervalSince(now)
        return wait > 0 ? .seconds(wait) : .zero
    }

    /// An HTTP date as seconds since 1970, in any of its three forms.
    static func httpDate(_ value: String, now: Date) -> Date? {
        let parts = value.split(separator: " ")
        let fields: (day: Substring, month: Substring, year: Substring, time: Substring)
        var twoDigitYear = false
        switch parts.count {
        case 6 where parts[0].hasSuffix(",") && shortDays.contains(String(parts[0].dropLast())) && parts[5] == "GMT":
            // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
            fields = (parts[1], parts[2], parts[3], parts[4])
            guard fields.year.count == 4 else { return nil }
        case 4 where parts[0].hasSuffix(",") && longDays.contains(String(parts[0].dropLast())) && parts[3] == "GMT":
            // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT
            let date = parts[1].split(separator: "-", omittingEmptySubsequences: false)
            guard date.count == 3, date[2].count == 2 else { return nil }
            fields = (date[0], date[1], date[2], parts[2])
            twoDigitYear = true
        case 5 where shortDays.contains(String(parts[0])):
            // asctime: Sun Nov  6 08:49:37 1994
            fields = (parts[2], parts[1], parts[4], parts[3])
            guard fields.year.count == 4 else { return nil }
        default:
            return nil
        }
        guard (1 ... 2).contains(fields.day.count), let day = digits(fields.day),
              let month = months.firstIndex(of: String(fields.month)).map({ Int64($0) + 1 }),
              var year = digits(fields.year)
        else { return nil }
        if twoDigitYear {
            // RFC 9110: a two-digit year more than 50 years ahead is in the previous century.
            let thisYear = civil(fromDays: Int64((now.timeIntervalSince1970 / 86_400).rounded(.down))).year
            year += thisYear - thisYear % 100
            if year > thisYear + 50 { year -= 100 }
        }
        let time = fields.time.split(separator: ":", omittingEmptySubsequences: false)
        guard time.count == 3, time.allSatisfy({ $0.count == 2 }),
              let hour = digits(time[0]), let minute = digits(time[1]), let second = digits(time[2]),
              hour < 24, minute < 60, second <= 60,
              day >= 1, day <= daysIn(month: month, year: year)
        else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        return Date(timeIntervalSince1970: Double(days * 86_400 + hour * 3_600 + minute * 60 + second))
    }

    private static let shortDays: Set<String> = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    private static let longDays: Set<String> = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    private static func digits(_ text: Substring) -> Int64? {
        guard !text.isEmpty, text.count <= 4, text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int64(text)
    }

    private static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    // Howard Hinnant's days_from_civil and civil_from_days: proleptic Gregorian, day 0 = 1970-01-01.
    private static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    private static func civil(fromDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
