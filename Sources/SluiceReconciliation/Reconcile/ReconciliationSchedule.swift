import Foundation
import SluiceGenesis

/// One job the scheduler queues once per period: its kind, its period and, for the by-date
/// kinds, how many days before the period's day its range starts.
public struct ReconciliationSchedule: Sendable, Hashable {
    /// The job's kind.
    public var kind: String
    /// The first part of the dedupe key, `"<name>:<period index>"`; the kind unless told.
    public var name: String
    public var period: SchedulePeriod
    /// `nil`: the payload has no dates. Otherwise the range runs from this many days before the
    /// UTC day the period starts on, to that day.
    public var days: Int?
    /// Attempts of each period's job; the next period queues a fresh one anyway.
    public var maxAttempts: Int

    public init(kind: String, name: String? = nil, period: SchedulePeriod, days: Int? = nil, maxAttempts: Int = 3) {
        self.kind = kind
        self.name = name ?? kind
        self.period = period
        self.days = days
        self.maxAttempts = maxAttempts
    }

    /// The dedupe key of the job for the period of `date`.
    public func dedupeKey(at date: Date) -> String {
        period.dedupeKey(name, at: date)
    }

    /// The payload of the job for the period of `date`: every terminal, and the dates counted
    /// from the period's start so every node asks for the same range.
    public func payload(at date: Date) -> ReconciliationJobPayload {
        guard let days else { return ReconciliationJobPayload() }
        let start = period.start(of: period.index(at: date))
        return ReconciliationJobPayload(terminal: nil, range: .lastDays(days, endingAt: start))
    }

    /// The pending pass every `pendingInterval`, the by-date refresh of yesterday and today
    /// every `byDateInterval`, and the chargeback sync of the last `chargebackSyncDays` every
    /// `chargebackSyncInterval`.
    public static func standard(_ settings: ReconciliationSettings) -> [ReconciliationSchedule] {
        [
            ReconciliationSchedule(kind: ReconcilePendingJobHandler.kind, period: SchedulePeriod(settings.pendingInterval)),
            ReconciliationSchedule(kind: ReconcileByDateJobHandler.kind, period: SchedulePeriod(settings.byDateInterval), days: settings.byDateDays),
            ReconciliationSchedule(
                kind: ChargebackSyncJobHandler.kind, period: SchedulePeriod(settings.chargebackSyncInterval), days: settings.chargebackSyncDays),
        ]
    }
}
