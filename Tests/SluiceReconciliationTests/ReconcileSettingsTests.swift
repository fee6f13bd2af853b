import Foundation
import SluiceReconciliation
import Testing

struct ReconcileSettingsTests {
    @Test func defaultsWhenNothingIsSet() throws {
        let settings = try ReconciliationSettings.fromEnvironment([:])
        #expect(settings == ReconciliationSettings())
        #expect(settings.pendingAge == .seconds(7_200) && settings.maxTries == 10 && settings.ratePerSecond == 10)
        #expect(settings.batchLimit == 500 && settings.pendingInterval == .seconds(900) && settings.chargebackSyncInterval == .seconds(3_600))
        #expect(settings.chargebackSyncDays == 7 && settings.byDateInterval == .seconds(86_400) && settings.byDateDays == 1)
    }

    @Test func valuesFromTheEnvironment() throws {
        let settings = try ReconciliationSettings.fromEnvironment([
            "SLUICE_RECONCILE_PENDING_AGE_SECONDS": "60", "SLUICE_RECONCILE_RATE": "2.5", "SLUICE_RECONCILE_INTERVAL_SECONDS": " 120 ",
            "SLUICE_CHARGEBACK_SYNC_DAYS": "14", "SLUICE_RECONCILE_MAX_TRIES": "3", "SLUICE_RECONCILE_BATCH_LIMIT": "50", "SLUICE_RECONCILE_RATE_UNUSED": "x",
        ])
        #expect(settings.pendingAge == .seconds(60) && settings.ratePerSecond == 2.5 && settings.pendingInterval == .seconds(120))
        #expect(settings.chargebackSyncDays == 14 && settings.maxTries == 3 && settings.batchLimit == 50)
    }

    @Test(arguments: [
        ("SLUICE_RECONCILE_PENDING_AGE_SECONDS", "two hours"),
        ("SLUICE_RECONCILE_PENDING_AGE_SECONDS", "-1"),
        ("SLUICE_RECONCILE_RATE", "fast"),
        ("SLUICE_RECONCILE_RATE", "-3"),
        ("SLUICE_RECONCILE_RATE", "inf"),
        ("SLUICE_RECONCILE_MAX_TRIES", "0"),
        ("SLUICE_RECONCILE_INTERVAL_SECONDS", "0"),
        ("SLUICE_RECONCILE_INTERVAL_SECONDS", "1.5"),
        ("SLUICE_CHARGEBACK_SYNC_DAYS", "400"),
        ("SLUICE_RECONCILE_BATCH_LIMIT", "1000000"),
    ])
    func aBadValueIsAnErrorNamingItsVariable(name: String, value: String) {
        do {
            _ = try ReconciliationSettings.fromEnvironment([name: value])
            Issue.record("\(name)=\(value) was accepted")
        } catch {
            let message = String(describing: error)
            #expect(message.contains(name) && message.contains(value) && message.contains("invalid_argument"), "\(message)")
        }
    }
}
