import Foundation
import SluiceGenesis
import SluiceReconciliation
import Testing

struct ReconcileSchedulePeriodTests {
    @Test(arguments: [
        (0.0, 0 as Int64), (899.999, 0), (900, 1), (1_800, 2), (1_799.5, 1), (-0.5, -1), (-900, -1), (-900.5, -2),
    ])
    func indexIsTheFloorOfEpochSecondsOverTheInterval(epoch: Double, index: Int64) {
        #expect(SchedulePeriod(seconds: 900).index(at: Date(timeIntervalSince1970: epoch)) == index)
    }

    @Test func everyInstantOfAPeriodGivesTheSameKeyAndTheNextPeriodANewOne() {
        let hourly = SchedulePeriod(.seconds(3_600))
        let start = hourly.start(of: 480_000)
        #expect(hourly.index(at: start) == 480_000)
        #expect(hourly.dedupeKey("chargebacks.sync", at: start) == "chargebacks.sync:480000")
        #expect(hourly.dedupeKey("chargebacks.sync", at: start.addingTimeInterval(3_599.9)) == "chargebacks.sync:480000")
        #expect(hourly.dedupeKey("chargebacks.sync", at: start.addingTimeInterval(3_600)) == "chargebacks.sync:480001")
        #expect(hourly.nextStart(after: start.addingTimeInterval(10)) == start.addingTimeInterval(3_600))
    }

    @Test func aZeroIntervalCountsAsOneSecond() {
        #expect(SchedulePeriod(seconds: 0).seconds == 1)
        #expect(SchedulePeriod(.milliseconds(500)).seconds == 1)
        #expect(SchedulePeriod(seconds: 0).index(at: Date(timeIntervalSince1970: 42.7)) == 42)
    }

    @Test func aDailyScheduleCoversYesterdayAndTodayFromThePeriodStart() {
        let schedule = ReconciliationSchedule(kind: "reconcile.by_date", period: SchedulePeriod(seconds: 86_400), days: 1)
        // 2025-03-01T13:20:00Z: the period starts at midnight, whatever the hour of the tick.
        let payload = schedule.payload(at: Date(timeIntervalSince1970: 1_740_835_200))
        #expect(payload == ReconciliationJobPayload(terminal: nil, startDate: "2025-02-28", endDate: "2025-03-01"))
        #expect(schedule.dedupeKey(at: Date(timeIntervalSince1970: 1_740_835_200)) == "reconcile.by_date:20148")
        let pending = ReconciliationSchedule(kind: "reconcile.pending", period: SchedulePeriod(seconds: 900))
        #expect(pending.payload(at: Date()) == ReconciliationJobPayload())
    }

    @Test func theStandardSchedulesFollowTheSettings() {
        var settings = ReconciliationSettings()
        settings.chargebackSyncDays = 3
        let schedules = ReconciliationSchedule.standard(settings)
        #expect(schedules.map(\.kind) == ["reconcile.pending", "reconcile.by_date", "chargebacks.sync"])
        #expect(schedules.map(\.period.seconds) == [900, 86_400, 3_600])
        #expect(schedules.map(\.days) == [nil, 1, 3])
    }

    @Test func dateRangesAreRealDaysInOrder() throws {
        #expect(try GatewayDateRange.validated(start: "2024-02-28", end: "2024-02-29") == GatewayDateRange(startDate: "2024-02-28", endDate: "2024-02-29"))
        for (start, end) in [("2023-02-29", "2023-03-01"), ("2024-3-01", "2024-03-02"), ("2024-03-02", "2024-03-01"), ("yesterday", "2024-03-01"), ("2024-03-01", "2024-03-01T00")] {
            #expect(throws: (any Error).self, "\(start)…\(end)") { try GatewayDateRange.validated(start: start, end: end) }
        }
        #expect(GatewayDateRange.lastDays(7, endingAt: Date(timeIntervalSince1970: 1_740_835_200)) == GatewayDateRange(startDate: "2025-02-22", endDate: "2025-03-01"))
    }
}
