import Foundation

/// Parses the two date formats S3 uses: HTTP dates in headers, ISO 8601 in XML.
enum S3Date {
    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    /// `Wed, 21 Oct 2015 07:28:00 GMT` (RFC 7231 IMF-fixdate).
    static func parseHTTP(_ text: String) -> Date? {
        let parts = text.split(separator: " ")
        guard parts.count == 6,
            let day = Int(parts[1]),
            let month = months.firstIndex(of: parts[2].lowercased()),
            let year = Int(parts[3])
        else {
            return nil
        }
        let time = parts[4].split(separator: ":")
        guard time.count == 3, let hour = Int(time[0]), let minute = Int(time[1]), let second = Int(time[2]) else {
            return nil
        }
        return date(year: year, month: month + 1, day: day, hour: hour, minute: minute, second: second, fraction: 0)
    }

    /// `2009-10-12T17:50:30.000Z`, with or without fractional seconds.
    static func parseISO8601(_ text: String) -> Date? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasSuffix("Z") else { return nil }
        let parts = trimmed.dropLast().split(separator: "T")
        guard parts.count == 2 else { return nil }
        let ymd = parts[0].split(separator: "-")
        let hms = parts[1].split(separator: ":")
        guard ymd.count == 3, hms.count == 3,
            let year = Int(ymd[0]), let month = Int(ymd[1]), let day = Int(ymd[2]),
            let hour = Int(hms[0]), let minute = Int(hms[1])
        else {
            return nil
        }
        let secondParts = hms[2].split(separator: ".", maxSplits: 1)
        guard let second = secondParts.first.flatMap({ Int($0) }) else { return nil }
        var fraction = 0.0
        if secondParts.count == 2 {
            guard let value = Double("0." + secondParts[1]) else { return nil }
            fraction = value
        }
        return date(year: year, month: month, day: day, hour: hour, minute: minute, second: second, fraction: fraction)
    }

    private static func date(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, fraction: Double) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        guard let utc = TimeZone(identifier: "UTC") else { return nil }
        calendar.timeZone = utc
        let components = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        guard components.isValidDate(in: calendar), let date = calendar.date(from: components) else { return nil }
        return date.addingTimeInterval(fraction)
    }
}
