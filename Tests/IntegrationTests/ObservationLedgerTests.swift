import Foundation
import PostgresNIO
import SluiceBilling
import SluiceReconciliation
import Testing

/// The ledger on the real database, for what only the database can refuse.
struct ObservationLedgerTests {
    let environment: IntegrationEnvironment

    init() throws {
        environment = try IntegrationEnvironment()
    }

    /// A chargeback learnt twice in one batch for a transaction no attempt has (a notification
    /// and its re-send under another status) is one row: one statement cannot insert and
    /// update the same row, and the whole batch would fail again on every retry.
    @Test func oneBatchLearningAChargebackTwiceWritesOneRow() async throws {
        let uniqueID = "ledger-\(UUID().uuidString)"
        let observations = ["chargebacked", "approved"].map { status in
            GatewayObservation(
                uniqueID: uniqueID, status: .chargebacked, isChargeback: true, reasonCode: status == "approved" ? "MD06" : "AC04",
                source: .notification)
        }
        let ledger = ObservationLedger(policy: ChargebackPolicy(), logger: environment.logger)
        let plan = try await environment.withConnection { connection in
            try await connection.withTransaction(logger: environment.logger) { connection in
                try await ledger.apply(observations, on: connection)
            }
        }
        #expect(plan.results.map(\.outcome) == [.unknownTransaction, .unknownTransaction])
        #expect(try await environment.strings("SELECT reason_code FROM sluice.chargebacks WHERE unique_id = '\(uniqueID)'") == ["AC04"])
    }
}
