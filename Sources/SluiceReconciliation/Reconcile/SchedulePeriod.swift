import Foundation

/// A fixed interval cut from the Unix epoch: period `n` runs from `n × seconds` to
/// `(n + 1) × seconds`. Every node computes the same index for the same instant, so a job named
/// by its kind and period index (`dedupeKey`) is queued once per period however many nodes ask.
///
/// ```swift
/// let hourly = SchedulePeriod(seconds: 3600)
/// hourly.index(at: Date(timeIntervalSince1970: 7_300))   // 2
/// hourly.dedupeKey("chargebacks.sync", at: now)          // "chargebacks.sync:<index>"
/// ```
public struct SchedulePeriod: Sendable, Hashable {
    public let seconds: Int64

    /// - Parameter seconds: at least 1; smaller values count as 1.
    public init(seconds: Int64) {
        self.seconds = max(seconds, 1)
    }

    /// A period of `interval`, rounded down to whole seconds.
    public init(_ interval: Duration) {
        self.init(seconds: interval.components.seconds)
    }

    /// The index of the period `date` falls in: floor(epoch seconds / seconds).
    public func index(at date: Date) -> Int64 {
        let epoch = date.timeIntervalSince1970
        // Whole seconds first: the floor of a negative epoch must round towards earlier periods.
        let whole = Int64(epoch.rounded(.down))
        let (quotient, remainder) = whole.quotientAndRemainder(dividingBy: seconds)
        return remainder < 0 ? quotient - 1 : quotient
    }

    /// When period `index` starts.
    public func start(of index: Int64) -> Date {
        Date(timeIntervalSince1970: TimeInterval(index) * TimeInterval(seconds))
    }

    /// When the period after the one `date` falls in starts.
    public func nextStart(after date: Date) -> Date {
        start(of: index(at: date) + 1)
    }

    /// `"<name>:<period index>"`: the dedupe key of `name`'s job for the period of `date`.
    public func dedupeKey(_ name: String, at date: Date) -> String {
        "\(name):\(index(at: date))"
    }
}
