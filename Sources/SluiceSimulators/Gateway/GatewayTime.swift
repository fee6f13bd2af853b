import Foundation

/// UTC dates and timestamps as the gateway writes them, computed from the epoch without a
/// `DateFormatter`: the simulator stamps every ledger entry, and formatters are slow and not
/// `Sendable`.
enum GatewayTime {
    /// `yyyy-MM-dd` in UTC.
    static func day(_ date: Date) -> String {
        let (year, month, day, _) = civil(date)
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    /// `yyyy-MM-ddTHH:mm:ssZ` in UTC, Genesis's `timestamp`.
    static func timestamp(_ date: Date) -> String {
        let (year, month, day, seconds) = civil(date)
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(seconds / 3600, 2)):\(pad(seconds / 60 % 60, 2)):\(pad(seconds % 60, 2))Z"
    }

    /// `yyyy-MM-ddTHH:mm:ss.SSSZ` in UTC, for the ledger's `created_at`: sorts as it reads.
    static func precise(_ date: Date) -> String {
        let millis = Int((date.timeIntervalSince1970 * 1000).rounded(.down)) % 1000
        let stamp = timestamp(date)
        return String(stamp.dropLast()) + "." + pad((millis + 1000) % 1000, 3) + "Z"
    }

    /// Year, month, day and seconds into the day, by Howard Hinnant's days-to-civil algorithm.
    static func civil(_ date: Date) -> (Int, Int, Int, Int) {
        let total = Int(date.timeIntervalSince1970.rounded(.down))
        let days = Int((Double(total) / 86_400).rounded(.down))
        let seconds = total - days * 86_400
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day, seconds)
    }

    /// The `yyyy-MM-dd` part of a request's date (`2025-03-01` or `2025-03-01 12:00:00`), or `nil`.
    static func requestDay(_ text: String?) -> String? {
        guard let text else { return nil }
        let day = String(text.trimmingCharacters(in: .whitespaces).prefix(10))
        let bytes = Array(day.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
            bytes.enumerated().allSatisfy({ $0.offset == 4 || $0.offset == 7 || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0.element) })
        else { return nil }
        return day
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}
