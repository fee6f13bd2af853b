import Foundation
import Logging
import PostgresNIO
import SluiceCore

/// `sluice.vop_budget`: paid payee-verification calls granted per UTC day and provider, across
/// runs and nodes.
///
/// A grant commits at once, before the calls are made, so a crash can only count calls that
/// were never made: the budget is never overspent. The grant is one statement (an upsert that
/// records what it granted), so it needs no transaction of its own and is safe on a
/// connection other queries share; two nodes reserving at once are serialised by the day's row.
public struct VOPDailyBudget: Sendable {
    let connection: PostgresConnection
    /// Calls allowed per UTC day and provider.
    public let callsPerDay: Int
    let logger: Logger

    public init(connection: PostgresConnection, callsPerDay: Int, logger: Logger) {
        self.connection = connection
        self.callsPerDay = max(callsPerDay, 0)
        self.logger = logger
    }

    /// Grants up to `calls` calls from the allowance of `now`'s UTC day; returns how many.
    public func reserve(_ calls: Int, provider: String, now: Date) async throws -> Int {
        guard calls > 0, callsPerDay > 0 else { return 0 }
        let day = Self.utcDay(of: now)
        let first = min(calls, callsPerDay)
        do {
            let rows = try await connection.query("""
                INSERT INTO sluice.vop_budget AS b (day, provider, calls, last_grant)
                VALUES (\(day)::date, \(provider), \(first), \(first))
                ON CONFLICT (day, provider) DO UPDATE SET
                    calls = least(b.calls + \(calls), greatest(b.calls, \(callsPerDay))),
                    last_grant = least(b.calls + \(calls), greatest(b.calls, \(callsPerDay))) - b.calls
                RETURNING last_grant
                """, logger: logger)
            var granted = 0
            for try await value in rows.decode(Int64.self) { granted = Int(max(value, 0)) }
            return granted
        } catch {
            throw SluiceError(.database, "cannot reserve \(calls) payee verification calls from the daily budget", stage: .vop, underlying: error)
        }
    }

    /// Calls granted so far on `now`'s UTC day.
    public func used(provider: String, now: Date) async throws -> Int {
        let day = Self.utcDay(of: now)
        var used = 0
        do {
            for try await value in try await connection.query(
                "SELECT calls FROM sluice.vop_budget WHERE day = \(day)::date AND provider = \(provider)", logger: logger
            ).decode(Int64.self) { used = Int(value) }
        } catch {
            throw SluiceError(.database, "cannot read the daily payee verification budget", stage: .vop, underlying: error)
        }
        return used
    }

    /// `yyyy-MM-dd` of `date` in UTC.
    static func utcDay(of date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
    }
}
