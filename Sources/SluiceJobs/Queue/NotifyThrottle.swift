import Synchronization

/// Lets through at most one `NOTIFY` per kind per interval.
final class NotifyThrottle: Sendable {
    private let interval: Duration
    private let lastSent = Mutex<[String: ContinuousClock.Instant]>([:])

    init(interval: Duration) {
        self.interval = interval
    }

    /// Whether a `NOTIFY` for `kind` may go now; if so, it counts as sent.
    func admit(_ kind: String, now: ContinuousClock.Instant = .now) -> Bool {
        lastSent.withLock { lastSent in
            if let last = lastSent[kind], now - last < interval { return false }
            lastSent[kind] = now
            return true
        }
    }
}
