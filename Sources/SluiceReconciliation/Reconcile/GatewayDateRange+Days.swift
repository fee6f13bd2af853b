import Foundation
import SluiceCore
import SluiceGenesis

extension GatewayDateRange {
    /// The UTC calendar the gateway's days are written in.
    static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    /// The UTC day of `date` as the gateway writes it: `yyyy-MM-dd`.
    public static func day(_ date: Date) -> String {
        let parts = utc.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }

    /// The days from `days` before the day of `date` to that day, both included (UTC):
    /// `days: 1` is yesterday and today.
    public static func lastDays(_ days: Int, endingAt date: Date) -> GatewayDateRange {
        let start = utc.date(byAdding: .day, value: -max(days, 0), to: date) ?? date
        return GatewayDateRange(startDate: day(start), endDate: day(date))
    }

    /// A range an operator or a payload gave: both days real `yyyy-MM-dd` dates, the start not
    /// after the end.
    ///
    /// - Throws: `SluiceError` `invalid_argument` naming the field (`start_date`, `end_date`).
    public static func validated(start: String, end: String, startName: String = "start_date", endName: String = "end_date") throws -> GatewayDateRange {
        guard let first = parseDay(start) else {
            throw SluiceError(.invalidArgument, "\(startName) must be a date written yyyy-MM-dd, found '\(start)'")
        }
        guard let last = parseDay(end) else {
            throw SluiceError(.invalidArgument, "\(endName) must be a date written yyyy-MM-dd, found '\(end)'")
        }
        guard first <= last else { throw SluiceError(.invalidArgument, "\(startName) \(start) is after \(endName) \(end)") }
        return GatewayDateRange(startDate: start, endDate: end)
    }

    /// The start of the UTC day `text` (`yyyy-MM-dd`), or `nil` when it is not such a date
    /// (`2024-02-30` is not).
    static func parseDay(_ text: String) -> Date? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard text.utf8.count == 10, parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
        else { return nil }
        let components = DateComponents(year: year, month: month, day: day)
        guard let date = utc.date(from: components) else { return nil }
        // The calendar rolls 02-30 over to 03-01: a real date reads back the same.
        let back = utc.dateComponents([.year, .month, .day], from: date)
        guard back.year == year, back.month == month, back.day == day else { return nil }
        return date
    }
}
