import Foundation
import SluiceCore

/// How reconciliation polls pending attempts, refreshes by date and syncs chargebacks; every
/// field has a default, and `fromEnvironment` reads the `SLUICE_RECONCILE_*` and
/// `SLUICE_CHARGEBACK_SYNC_*` variables.
///
/// | variable | default | field |
/// |---|---|---|
/// | `SLUICE_RECONCILE_PENDING_AGE_SECONDS` | 7200 | `pendingAge` |
/// | `SLUICE_RECONCILE_MAX_TRIES` | 10 | `maxTries` |
/// | `SLUICE_RECONCILE_RATE` | 10 | `ratePerSecond` (per terminal; 0 = no limit) |
/// | `SLUICE_RECONCILE_BATCH_LIMIT` | 500 | `batchLimit` |
/// | `SLUICE_RECONCILE_INTERVAL_SECONDS` | 900 | `pendingInterval` |
/// | `SLUICE_RECONCILE_BY_DATE_INTERVAL_SECONDS` | 86400 | `byDateInterval` |
/// | `SLUICE_RECONCILE_BY_DATE_DAYS` | 1 | `byDateDays` (yesterday and today) |
/// | `SLUICE_CHARGEBACK_SYNC_INTERVAL_SECONDS` | 3600 | `chargebackSyncInterval` |
/// | `SLUICE_CHARGEBACK_SYNC_DAYS` | 7 | `chargebackSyncDays` |
/// | `SLUICE_CHARGEBACK_SYNC_PAGE_SIZE` | 100 | `chargebackPageSize` |
/// | `SLUICE_RECONCILE_SCHEDULER_TICK_SECONDS` | 30 | `schedulerTick` |
public struct ReconciliationSettings: Sendable, Hashable {
    /// A pending attempt is polled once it was sent this long ago.
    public var pendingAge: Duration
    /// Polls of one pending attempt before it is left to the by-date refresh and operators.
    public var maxTries: Int
    /// Gateway calls a second per terminal; 0 sends them as fast as they come.
    public var ratePerSecond: Double
    /// Pending attempts one pass polls at most.
    public var batchLimit: Int
    /// How often the pending pass runs.
    public var pendingInterval: Duration
    /// How often the by-date refresh runs, and the days it covers before the period's day.
    public var byDateInterval: Duration
    public var byDateDays: Int
    /// How often the chargebacks are synced, and the days the sync looks back.
    public var chargebackSyncInterval: Duration
    public var chargebackSyncDays: Int
    /// Chargebacks asked for a page (`per_page`).
    public var chargebackPageSize: Int
    /// How often the scheduler checks whether a period's job is queued.
    public var schedulerTick: Duration

    public init(
        pendingAge: Duration = .seconds(7_200), maxTries: Int = 10, ratePerSecond: Double = 10, batchLimit: Int = 500,
        pendingInterval: Duration = .seconds(900), byDateInterval: Duration = .seconds(86_400), byDateDays: Int = 1,
        chargebackSyncInterval: Duration = .seconds(3_600), chargebackSyncDays: Int = 7, chargebackPageSize: Int = 100,
        schedulerTick: Duration = .seconds(30)
    ) {
        self.pendingAge = pendingAge
        self.maxTries = maxTries
        self.ratePerSecond = ratePerSecond
        self.batchLimit = batchLimit
        self.pendingInterval = pendingInterval
        self.byDateInterval = byDateInterval
        self.byDateDays = byDateDays
        self.chargebackSyncInterval = chargebackSyncInterval
        self.chargebackSyncDays = chargebackSyncDays
        self.chargebackPageSize = chargebackPageSize
        self.schedulerTick = schedulerTick
    }

    /// The settings from `environment`; unset variables keep their defaults.
    ///
    /// - Throws: `SluiceError` `invalid_argument` naming the first variable whose value is not
    ///   a whole number (a number for the rate) in its range.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ReconciliationSettings {
        var settings = ReconciliationSettings()
        func integer(_ name: String, minimum: Int, maximum: Int = Int.max) throws -> Int? {
            guard let text = environment[name]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
            guard let value = Int(text), value >= minimum, value <= maximum else {
                let range = maximum == Int.max ? "at least \(minimum)" : "\(minimum) to \(maximum)"
                throw SluiceError(.invalidArgument, "\(name) must be a whole number, \(range); found '\(text)'")
            }
            return value
        }
        if let seconds = try integer("SLUICE_RECONCILE_PENDING_AGE_SECONDS", minimum: 0) { settings.pendingAge = .seconds(seconds) }
        if let tries = try integer("SLUICE_RECONCILE_MAX_TRIES", minimum: 1) { settings.maxTries = tries }
        if let text = environment["SLUICE_RECONCILE_RATE"]?.trimmingCharacters(in: .whitespaces), !text.isEmpty {
            guard let rate = Double(text), rate.isFinite, rate >= 0 else {
                throw SluiceError(.invalidArgument, "SLUICE_RECONCILE_RATE must be a number of calls a second, 0 or more; found '\(text)'")
            }
            settings.ratePerSecond = rate
        }
        if let limit = try integer("SLUICE_RECONCILE_BATCH_LIMIT", minimum: 1, maximum: 100_000) { settings.batchLimit = limit }
        if let seconds = try integer("SLUICE_RECONCILE_INTERVAL_SECONDS", minimum: 1) { settings.pendingInterval = .seconds(seconds) }
        if let seconds = try integer("SLUICE_RECONCILE_BY_DATE_INTERVAL_SECONDS", minimum: 1) { settings.byDateInterval = .seconds(seconds) }
        if let days = try integer("SLUICE_RECONCILE_BY_DATE_DAYS", minimum: 0, maximum: 366) { settings.byDateDays = days }
        if let seconds = try integer("SLUICE_CHARGEBACK_SYNC_INTERVAL_SECONDS", minimum: 1) { settings.chargebackSyncInterval = .seconds(seconds) }
        if let days = try integer("SLUICE_CHARGEBACK_SYNC_DAYS", minimum: 0, maximum: 366) { settings.chargebackSyncDays = days }
        if let size = try integer("SLUICE_CHARGEBACK_SYNC_PAGE_SIZE", minimum: 1, maximum: 10_000) { settings.chargebackPageSize = size }
        if let seconds = try integer("SLUICE_RECONCILE_SCHEDULER_TICK_SECONDS", minimum: 1) { settings.schedulerTick = .seconds(seconds) }
        return settings
    }
}
