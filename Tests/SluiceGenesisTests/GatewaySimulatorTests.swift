import AsyncHTTPClient
import Foundation
import Hummingbird
import NIOCore
import SluiceGenesis
@testable import SluiceSimulators
import SluiceTestSupport
import Synchronization
import Testing

/// The Genesis gateway simulator over real HTTP: hand-built XML in, Genesis XML out.
@Suite struct GatewaySimulatorTests {
    // MARK: Auth and routing

    @Test func refusesAMissingOrWrongLoginWith401AndCode120() async throws {
        try await RunningGateway.with { gateway in
            let body = GenesisWire.saleXML(Self.sale("tx-auth"))
            let missing = try await Self.post(gateway, gateway.processURL, body, authorization: .none)
            let wrong = try await Self.post(
                gateway, gateway.processURL, body, authorization: .header("Basic " + Data("sim-login:nope".utf8).base64EncodedString()))
            for answer in [missing, wrong] {
                #expect(answer.status == 401)
                let transaction = try Self.transaction(answer.body)
                #expect(transaction.status == .error)
                #expect(transaction.code == GenesisErrorCode.authentication)
            }
            #expect(gateway.simulator.ledger().isEmpty)
            #expect(gateway.simulator.stats().unauthorized == 2)
            #expect(gateway.simulator.stats().saleRequests == 0)
        }
    }

    @Test func acceptsPathsWithoutTheTrailingSlashAndRefusesAnUnknownTerminal() async throws {
        try await RunningGateway.with { gateway in
            let plain = try await Self.post(gateway, "\(gateway.baseURL)/process/\(gateway.terminal)", GenesisWire.saleXML(Self.sale("tx-slash")))
            #expect(try Self.transaction(plain.body).status == .approved)
            let unknown = try await Self.post(gateway, "\(gateway.baseURL)/process/other-terminal/", GenesisWire.saleXML(Self.sale("tx-other")))
            #expect(unknown.status == 200)
            let refused = try Self.transaction(unknown.body)
            #expect(refused.status == .error)
            #expect(refused.code == GatewaySimulator.Code.unknownTerminal)
            #expect(gateway.simulator.ledger().map(\.transactionID) == ["tx-slash"])
        }
    }

    @Test func answersBadXMLWith350AndAMissingFieldWith320() async throws {
        try await RunningGateway.with { gateway in
            let broken = try await Self.post(gateway, gateway.processURL, "<payment_transaction><amount>")
            #expect(try Self.transaction(broken.body).code == GatewaySimulator.Code.invalidXML)
            let doctype = try await Self.post(
                gateway, gateway.processURL, #"<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><payment_transaction/>"#)
            #expect(try Self.transaction(doctype.body).code == GatewaySimulator.Code.invalidXML)
            let noIBAN = GenesisWire.saleXML(Self.sale("tx-missing")).replacingOccurrences(of: "<iban>DE89370400440532013000</iban>", with: "")
            let missing = try Self.transaction(try await Self.post(gateway, gateway.processURL, noIBAN).body)
            #expect(missing.status == .error)
            #expect(missing.code == GatewaySimulator.Code.missingField)
            #expect(gateway.simulator.ledger().isEmpty)
            #expect(gateway.simulator.stats().invalidRequests == 3)
        }
    }

    // MARK: Outcomes

    @Test(arguments: [
        (Int64(1_000), GatewayStatus.approved, String?.none, Int?.none, 1),
        (1_051, .declined, "AM04", 510, 1),
        (1_052, .declined, "AC04", 510, 1),
        (1_053, .declined, "MD01", 510, 1),
        (1_054, .error, nil, 340, 0),
        (1_060, .pendingAsync, nil, nil, 1),
        (1_061, .pendingAsync, nil, nil, 1),
    ])
    func theOutcomeFollowsTheCents(amount: Int64, status: GatewayStatus, reasonCode: String?, code: Int?, charges: Int) async throws {
        try await RunningGateway.with { gateway in
            let answer = try await Self.sale(gateway, Self.sale("tx-\(amount)", amount: amount))
            #expect(answer.status == status)
            #expect(answer.reasonCode == reasonCode)
            #expect(answer.code == code)
            #expect(answer.transactionID == "tx-\(amount)")
            if status != .error {
                #expect(answer.uniqueID == GatewaySimulator.uniqueID(terminal: gateway.terminal, transactionID: "tx-\(amount)"))
                #expect(answer.amountMinor == amount)
                #expect(answer.currency == "EUR")
            }
            if status == .declined {
                #expect(answer.message == "Transaction declined")
                #expect(answer.technicalMessage?.contains(reasonCode ?? "?") == true)
            }
            let entry = try #require(gateway.simulator.ledger(transactionID: "tx-\(amount)").first)
            #expect(entry.status == status)
            #expect(entry.charges == charges)
            #expect(entry.ibanMasked == "DE89**************3000")
        }
    }

    @Test func anIBANOnTheDeclineListIsDeclinedWithItsCode() async throws {
        let configuration = GatewaySimulatorConfiguration(declineIBANs: ["DE02 1203 0000 0000 2020 51": "AC06"])
        try await RunningGateway.with(configuration) { gateway in
            let declined = try await Self.sale(gateway, Self.sale("tx-blocked", iban: "DE02120300000000202051"))
            #expect(declined.status == .declined)
            #expect(declined.reasonCode == "AC06")
            #expect(try await Self.sale(gateway, Self.sale("tx-fine")).status == .approved)
        }
    }

    @Test func pendingSalesSettleAfterTheNotificationDelay() async throws {
        let configuration = GatewaySimulatorConfiguration(notificationDelayMs: 50)
        try await RunningGateway.with(configuration) { gateway in
            #expect(try await Self.sale(gateway, Self.sale("tx-60", amount: 2_060)).status == .pendingAsync)
            #expect(try await Self.sale(gateway, Self.sale("tx-61", amount: 2_061)).status == .pendingAsync)
            try await Self.eventually { gateway.simulator.stats().pendingEvents == 0 }
            let approved = try await Self.reconcile(gateway, .transactionID("tx-60"))
            #expect(approved?.status == .approved)
            let declined = try await Self.reconcile(gateway, .transactionID("tx-61"))
            #expect(declined?.status == .declined)
            #expect(declined?.reasonCode == "AM04")
        }
    }

    // MARK: Exactly one charge

    @Test func aRepeatedTransactionIDIsADoubletAndIsNotChargedAgain() async throws {
        try await RunningGateway.with { gateway in
            let sale = Self.sale("tx-once")
            let first = try await Self.sale(gateway, sale)
            let second = try await Self.sale(gateway, sale)
            let third = try await Self.sale(gateway, Self.sale("tx-once", amount: 9_999))
            #expect(first.status == .approved)
            for repeated in [second, third] {
                #expect(repeated.isDoublet)
                #expect(repeated.code == GenesisErrorCode.doublet)
            }
            let entry = try #require(gateway.simulator.ledger(transactionID: "tx-once").first)
            #expect(entry.charges == 1)
            #expect(entry.saleRequests == 3)
            #expect(entry.duplicateRequests == 2)
            #expect(entry.amountMinor == 1_000)
            let stats = gateway.simulator.stats()
            #expect(stats.saleRequests == 3)
            #expect(stats.charges == 1)
            #expect(stats.doublets == 2)
        }
    }

    @Test func aTimeoutAfterAcceptChargesThenHoldsTheAnswer() async throws {
        let configuration = GatewaySimulatorConfiguration(faults: GatewayFaultConfiguration(hangMs: 3_000, failNext: [.timeoutAfterAccept]))
        try await RunningGateway.with(configuration) { gateway in
            let started = ContinuousClock.now
            await #expect(throws: (any Error).self) {
                _ = try await Self.post(gateway, gateway.processURL, GenesisWire.saleXML(Self.sale("tx-hang")), timeout: .milliseconds(300))
            }
            #expect(ContinuousClock.now - started < .seconds(2))
            let entry = try #require(gateway.simulator.ledger(transactionID: "tx-hang").first)
            #expect(entry.charges == 1)
            #expect(entry.status == .approved)
            #expect(gateway.simulator.stats().faultsTimeoutAfterAccept == 1)
            // Billing reconciles the unknown outcome, and a retry with the same id is not charged again.
            #expect(try await Self.reconcile(gateway, .transactionID("tx-hang"))?.status == .approved)
            #expect(try await Self.sale(gateway, Self.sale("tx-hang")).isDoublet)
            #expect(gateway.simulator.stats().charges == 1)
        }
    }

    @Test func anErrorFaultAnswers500AndChargesNothing() async throws {
        let configuration = GatewaySimulatorConfiguration(faults: GatewayFaultConfiguration(failNext: [.error]))
        try await RunningGateway.with(configuration) { gateway in
            let failed = try await Self.post(gateway, gateway.processURL, GenesisWire.saleXML(Self.sale("tx-500")))
            #expect(failed.status == 500)
            #expect(gateway.simulator.ledger().isEmpty)
            #expect(try await Self.sale(gateway, Self.sale("tx-500")).status == .approved)
            let stats = gateway.simulator.stats()
            #expect(stats.faultsError == 1)
            #expect(stats.saleRequests == 2)
            #expect(stats.charges == 1)
        }
    }

    @Test func theConfigRouteScriptsFaultsAndTheSeedRepeatsThem() async throws {
        try await RunningGateway.with { gateway in
            let changed = try await Self.request(gateway, "/_sim/config", body: #"{"failNext":["error"],"errorStatus":503,"latencyMs":5}"#)
            #expect(changed.status == 200)
            let faults = try JSONDecoder().decode(GatewayFaultConfiguration.self, from: Data(changed.body.utf8))
            #expect(faults.failNext == [.error])
            #expect(faults.errorStatus == 503)
            #expect(try await Self.post(gateway, gateway.processURL, GenesisWire.saleXML(Self.sale("tx-cfg"))).status == 503)
            #expect(try await Self.sale(gateway, Self.sale("tx-cfg")).status == .approved)

            // The same seed and calls give the same faults.
            func run() async throws -> [Int] {
                gateway.simulator.reset()
                gateway.simulator.update(.init(errorRate: 0.5, errorStatus: 500, seed: 42))
                var statuses: [Int] = []
                for index in 0..<12 {
                    statuses.append(try await Self.post(gateway, gateway.processURL, GenesisWire.saleXML(Self.sale("tx-seed-\(index)"))).status)
                }
                return statuses
            }
            let first = try await run()
            #expect(first.contains(500) && first.contains(200))
            #expect(try await run() == first)
        }
    }

    // MARK: Notifications

    @Test(arguments: [GenesisSignature.Algorithm.sha1, .sha512])
    func notificationsAreSignedWithThePassword(algorithm: GenesisSignature.Algorithm) async throws {
        try await NotificationReceiver.with { receiver in
            let configuration = GatewaySimulatorConfiguration(notificationDelayMs: 20, signatureAlgorithm: algorithm)
            try await RunningGateway.with(configuration) { gateway in
                let answer = try await Self.sale(gateway, Self.sale("tx-notify", notificationURL: receiver.url))
                try await Self.eventually { receiver.received.count == 1 && gateway.simulator.stats().notificationsAcknowledged == 1 }
                let fields = try #require(receiver.received.first)
                let uniqueID = try #require(answer.uniqueID)
                #expect(fields["unique_id"] == uniqueID)
                #expect(fields["transaction_id"] == "tx-notify")
                #expect(fields["transaction_type"] == "sdd_sale")
                #expect(fields["terminal_token"] == gateway.terminal)
                #expect(fields["status"] == "approved")
                #expect(fields["amount"] == "1000")
                #expect(fields["currency"] == "EUR")
                let signature = try #require(fields["signature"])
                #expect(signature.count == algorithm.hexLength)
                #expect(signature == GenesisSignature.sign(uniqueID: uniqueID + gateway.password, password: "", algorithm: algorithm))
                #expect(GenesisSignature.verify(signature, uniqueID: uniqueID, password: gateway.password))
                #expect(!GenesisSignature.verify(signature, uniqueID: uniqueID, password: "other"))
                let entry = try #require(gateway.simulator.ledger(transactionID: "tx-notify").first)
                #expect(entry.notificationsSent == 1)
                #expect(entry.notificationsAcknowledged == 1)
            }
        }
    }

    @Test func aNotificationIsResentUntilItIsEchoed() async throws {
        try await NotificationReceiver.with(wrongEchoes: 2) { receiver in
            let configuration = GatewaySimulatorConfiguration(notificationDelayMs: 10, notificationRetryMs: 20)
            try await RunningGateway.with(configuration) { gateway in
                _ = try await Self.sale(gateway, Self.sale("tx-resend", notificationURL: receiver.url))
                try await Self.eventually { gateway.simulator.stats().notificationsAcknowledged == 1 }
                #expect(receiver.received.count == 3)
                let stats = gateway.simulator.stats()
                #expect(stats.notificationsSent == 3)
                #expect(stats.notificationsFailed == 0)
                let entry = try #require(gateway.simulator.ledger(transactionID: "tx-resend").first)
                #expect(entry.notificationsSent == 3)
                #expect(entry.notificationsAcknowledged == 1)
            }
        }
    }

    @Test func aNotificationNeverEchoedFailsAfterItsAttempts() async throws {
        try await NotificationReceiver.with(wrongEchoes: 100) { receiver in
            let configuration = GatewaySimulatorConfiguration(notificationDelayMs: 10, notificationAttempts: 3, notificationRetryMs: 10)
            try await RunningGateway.with(configuration) { gateway in
                _ = try await Self.sale(gateway, Self.sale("tx-deaf", notificationURL: receiver.url))
                try await Self.eventually { gateway.simulator.stats().notificationsFailed == 1 }
                #expect(receiver.received.count == 3)
                #expect(gateway.simulator.stats().notificationsAcknowledged == 0)
                #expect(gateway.simulator.stats().pendingEvents == 0)
            }
        }
    }

    @Test func aDuplicateRateOfOneSendsEveryNotificationTwice() async throws {
        try await NotificationReceiver.with { receiver in
            let configuration = GatewaySimulatorConfiguration(
                faults: GatewayFaultConfiguration(duplicateNotificationRate: 1), notificationDelayMs: 10)
            try await RunningGateway.with(configuration) { gateway in
                _ = try await Self.sale(gateway, Self.sale("tx-dup-1", notificationURL: receiver.url))
                _ = try await Self.sale(gateway, Self.sale("tx-dup-2", amount: 1_051, notificationURL: receiver.url))
                try await Self.eventually { gateway.simulator.stats().notificationsAcknowledged == 4 }
                let received = receiver.received
                #expect(received.filter { $0["transaction_id"] == "tx-dup-1" }.count == 2)
                let declined = received.filter { $0["transaction_id"] == "tx-dup-2" }
                #expect(declined.count == 2)
                #expect(declined.allSatisfy { $0["status"] == "declined" && $0["reason_code"] == "AM04" })
                #expect(gateway.simulator.stats().charges == 2)
            }
        }
    }

    @Test func aChargebackIsNotifiedAndListedByDate() async throws {
        try await NotificationReceiver.with { receiver in
            let iban = "DE02120300000000202051"
            let configuration = GatewaySimulatorConfiguration(chargebackIBANs: [iban: ""], chargebackDelayMs: 50, notificationDelayMs: 10)
            try await RunningGateway.with(configuration) { gateway in
                let sale = try await Self.sale(gateway, Self.sale("tx-cb", iban: iban, notificationURL: receiver.url))
                #expect(sale.status == .approved)
                try await Self.eventually { gateway.simulator.stats().notificationsAcknowledged == 2 }
                #expect(gateway.simulator.ledger(transactionID: "tx-cb").first?.status == .chargebacked)
                #expect(try await Self.reconcile(gateway, .uniqueID(sale.uniqueID ?? ""))?.status == .chargebacked)

                let notification = try #require(receiver.received.first { $0["event"] == "chargeback" })
                #expect(notification["status"] == "chargebacked")
                #expect(notification["rc_code"] == "MD06")
                #expect(notification["rc_description"] == "Refund requested by debtor")
                #expect(notification["unique_id"] == sale.uniqueID)

                let xml = GenesisWire.chargebacksByDateXML(GatewayDateRange(startDate: "2000-01-01", endDate: "2999-12-31"), page: 1, perPage: 10)
                let answer = try await Self.post(gateway, gateway.chargebacksByDateURL, xml)
                let page = try GenesisWire.chargebacksPage(from: GenesisXMLReader.parse(Array(answer.body.utf8)))
                #expect(page.totalCount == 1)
                let chargeback = try #require(page.items.first)
                #expect(chargeback.originalTransactionUniqueID == sale.uniqueID)
                #expect(chargeback.reasonCode == "MD06")
                #expect(chargeback.reasonDescription == "Refund requested by debtor")
                #expect(chargeback.type == "1st_chargeback")
                #expect(chargeback.amountMinor == 1_000)
                #expect(chargeback.currency == "EUR")
                let today = String(gateway.simulator.ledger().first?.createdAt.prefix(10) ?? "")
                #expect(chargeback.postDate == today)
                // Outside the range, nothing.
                let past = GenesisWire.chargebacksByDateXML(GatewayDateRange(startDate: "2000-01-01", endDate: "2000-12-31"), page: 1, perPage: 10)
                let none = try GenesisWire.chargebacksPage(from: GenesisXMLReader.parse(Array(try await Self.post(gateway, gateway.chargebacksByDateURL + "/" + gateway.terminal + "/", past).body.utf8)))
                #expect(none.items.isEmpty)
                #expect(gateway.simulator.stats().chargebacks == 1)
            }
        }
    }

    // MARK: Reconcile, void, reset, stats

    @Test func reconcileFindsATransactionByEitherIDOrAnswers460() async throws {
        try await RunningGateway.with { gateway in
            let sale = try await Self.sale(gateway, Self.sale("tx-rec", amount: 1_051))
            let byTransactionID = try #require(try await Self.reconcile(gateway, .transactionID("tx-rec")))
            let byUniqueID = try #require(try await Self.reconcile(gateway, .uniqueID(sale.uniqueID ?? "")))
            for found in [byTransactionID, byUniqueID] {
                #expect(found.status == .declined)
                #expect(found.uniqueID == sale.uniqueID)
                #expect(found.reasonCode == "AM04")
            }
            let unknown = try Self.transaction(try await Self.post(gateway, gateway.reconcileURL, GenesisWire.reconcileXML(.transactionID("nope"))).body)
            #expect(unknown.status == .error)
            #expect(unknown.code == GenesisErrorCode.notFound)
            #expect(gateway.simulator.stats().reconcileRequests == 3)
        }
    }

    @Test func reconcileByDatePagesAHundredAtATimeOldestFirst() async throws {
        try await RunningGateway.with { gateway in
            for index in 0..<250 {
                _ = try await Self.post(gateway, gateway.processURL, GenesisWire.saleXML(Self.sale(String(format: "tx-page-%03d", index))))
            }
            let range = GatewayDateRange(startDate: "2000-01-01", endDate: "2999-12-31")
            var seen: [String] = []
            for number in 1...3 {
                let answer = try await Self.post(gateway, gateway.reconcileByDateURL, GenesisWire.reconcileByDateXML(range, page: number))
                let page = try GenesisWire.transactionsPage(from: GenesisXMLReader.parse(Array(answer.body.utf8)))
                #expect(page.page == number)
                #expect(page.perPage == 100)
                #expect(page.totalCount == 250)
                #expect(page.pagesCount == 3)
                #expect(page.items.count == (number == 3 ? 50 : 100))
                #expect(page.isLast == (number == 3))
                seen += page.items.compactMap(\.transactionID)
            }
            #expect(seen == (0..<250).map { String(format: "tx-page-%03d", $0) })
            let empty = try await Self.post(
                gateway, gateway.reconcileByDateURL, GenesisWire.reconcileByDateXML(GatewayDateRange(startDate: "2001-01-01", endDate: "2001-01-31"), page: 1))
            let none = try GenesisWire.transactionsPage(from: GenesisXMLReader.parse(Array(empty.body.utf8)))
            #expect(none.totalCount == 0)
            #expect(none.items.isEmpty)
            #expect(none.isLast)
        }
    }

    @Test func aVoidVoidsAnApprovedSaleOnce() async throws {
        try await RunningGateway.with { gateway in
            let sale = try await Self.sale(gateway, Self.sale("tx-void-me"))
            let uniqueID = try #require(sale.uniqueID)
            let void = try await Self.process(gateway, GenesisWire.voidXML(referenceUniqueID: uniqueID, transactionID: "tx-void-1"))
            #expect(void.transactionType == "void")
            #expect(void.status == .approved)
            #expect(void.uniqueID == GatewaySimulator.uniqueID(terminal: gateway.terminal, transactionID: "tx-void-1"))
            #expect(void.uniqueID != uniqueID)
            #expect(try await Self.reconcile(gateway, .uniqueID(uniqueID))?.status == .voided)

            let again = try await Self.process(gateway, GenesisWire.voidXML(referenceUniqueID: uniqueID, transactionID: "tx-void-2"))
            #expect(again.code == GatewaySimulator.Code.referenceNotVoidable)
            let unknown = try await Self.process(gateway, GenesisWire.voidXML(referenceUniqueID: "0123", transactionID: "tx-void-3"))
            #expect(unknown.status == .error)
            #expect(unknown.code == GatewaySimulator.Code.referenceNotFound)
            let doublet = try await Self.process(gateway, GenesisWire.voidXML(referenceUniqueID: uniqueID, transactionID: "tx-void-1"))
            #expect(doublet.isDoublet)
            #expect(gateway.simulator.stats().voidRequests == 4)
            #expect(gateway.simulator.stats().charges == 1)
        }
    }

    @Test func theLedgerRouteListsMaskedEntriesAndResetEmptiesIt() async throws {
        try await RunningGateway.with { gateway in
            _ = try await Self.sale(gateway, Self.sale("tx-a"))
            _ = try await Self.sale(gateway, Self.sale("tx-b", amount: 1_054))
            let all = try await Self.request(gateway, "/_sim/ledger")
            #expect(!all.body.contains("DE89370400440532013000"))
            let ledger = try JSONDecoder().decode(GatewayLedgerSnapshot.self, from: Data(all.body.utf8))
            #expect(ledger.entries.map(\.transactionID) == ["tx-a", "tx-b"])
            #expect(ledger.entries.map(\.charges) == [1, 0])
            #expect(ledger.entries.allSatisfy { $0.ibanMasked == "DE89**************3000" })
            let one = try await Self.request(gateway, "/_sim/ledger?transaction_id=tx-b")
            #expect(try JSONDecoder().decode(GatewayLedgerSnapshot.self, from: Data(one.body.utf8)).entries.map(\.status) == [.error])
            #expect(one.body.contains(#""sale_requests":1"#))

            #expect(try await Self.request(gateway, "/_sim/reset", post: true).status == 204)
            #expect(gateway.simulator.ledger().isEmpty)
            let stats = try JSONDecoder().decode(GatewaySimulatorStats.self, from: Data(try await Self.request(gateway, "/_sim/stats").body.utf8))
            #expect(stats == GatewaySimulatorStats())
            // After a reset the same transaction_id charges again.
            #expect(try await Self.sale(gateway, Self.sale("tx-a")).status == .approved)
        }
    }

    @Test func theStatsMeasureTheSaleRate() async throws {
        try await RunningGateway.with { gateway in
            let started = Date()
            for index in 0..<21 {
                _ = try await Self.sale(gateway, Self.sale("tx-rate-\(index)"))
                try await Task.sleep(for: .milliseconds(10))
            }
            let elapsed = Date().timeIntervalSince(started)
            let stats = try JSONDecoder().decode(GatewaySimulatorStats.self, from: Data(try await Self.request(gateway, "/_sim/stats").body.utf8))
            #expect(stats.saleRequests == 21)
            let first = try #require(stats.firstSaleAt)
            let last = try #require(stats.lastSaleAt)
            let rate = try #require(stats.saleRatePerSecond)
            #expect(abs(rate - 20 / (last - first)) < 1e-6)
            // 20 gaps of at least 10 ms: at most 100 a second, and no slower than the client saw.
            #expect(rate <= 100)
            #expect(rate >= 20 / elapsed)
            #expect(stats.maxConcurrentSales == 1)
        }
    }

    @Test func theLedgerPagesAHundredThousandEntriesByDate() throws {
        var ledger = GatewayLedger()
        let start = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z
        let count = 100_000
        for index in 0..<count {
            // 30 a minute: ~2.3 days, so the range below cuts across days.
            let now = start.addingTimeInterval(Double(index) * 2)
            _ = ledger.sale(Self.sale("tx-\(index)"), terminal: "t", outcome: .approved, chargebackCode: nil, now: now)
        }
        #expect(ledger.count == count)
        let all = ledger.transactions(terminal: "t", startDay: "2026-01-01", endDay: "2026-01-31", page: 1000, perPage: 100)
        #expect(all.total == count)
        #expect(all.items.first?.entry.transactionID == "tx-99900")
        let secondDay = ledger.transactions(terminal: "t", startDay: "2026-01-02", endDay: "2026-01-02", page: 1, perPage: 100)
        #expect(secondDay.total == 43_200)
        #expect(secondDay.items.first?.entry.transactionID == "tx-43200")
        #expect(ledger.transactions(terminal: "other", startDay: "2026-01-01", endDay: "2026-01-31", page: 1, perPage: 100).total == 0)
        let doublet = ledger.sale(Self.sale("tx-5"), terminal: "t", outcome: .approved, chargebackCode: nil, now: start)
        guard case .doublet(let record) = doublet else { Issue.record("expected a doublet"); return }
        #expect(record.entry.saleRequests == 2)
        #expect(ledger.count == count)
    }

    // MARK: Helpers

    static func sale(_ transactionID: String, amount: Int64 = 1_000, iban: String = "DE89370400440532013000", notificationURL: String? = nil) -> SDDSale {
        SDDSale(
            transactionID: transactionID, usage: "Sluice test", amountMinor: amount, currency: "EUR", iban: iban, notificationURL: notificationURL,
            billingAddress: BillingAddress(firstName: "Anna", lastName: "Weber", country: "DE"))
    }

    struct Answer {
        var status: Int
        var body: String
    }

    enum Authorization {
        case simulator, none, header(String)
    }

    static func post(
        _ gateway: RunningGateway, _ url: String, _ xml: String, authorization: Authorization = .simulator, timeout: TimeAmount = .seconds(10)
    ) async throws -> Answer {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "text/xml")
        switch authorization {
        case .simulator: request.headers.add(name: "Authorization", value: gateway.authorization)
        case .none: break
        case .header(let value): request.headers.add(name: "Authorization", value: value)
        }
        request.body = .bytes(ByteBuffer(string: xml))
        let response = try await HTTPClient.shared.execute(request, timeout: timeout)
        let body = try await response.body.collect(upTo: 16 << 20)
        return Answer(status: Int(response.status.code), body: String(buffer: body))
    }

    /// A GET, or a POST when there is a body or `post` is set.
    static func request(_ gateway: RunningGateway, _ path: String, post: Bool = false, body: String? = nil) async throws -> Answer {
        var request = HTTPClientRequest(url: gateway.baseURL + path)
        request.method = post || body != nil ? .POST : .GET
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        return Answer(status: Int(response.status.code), body: String(buffer: try await response.body.collect(upTo: 16 << 20)))
    }

    static func transaction(_ body: String) throws -> GatewayTransaction {
        try GenesisWire.transaction(from: GenesisXMLReader.parse(Array(body.utf8)))
    }

    static func process(_ gateway: RunningGateway, _ xml: String) async throws -> GatewayTransaction {
        let answer = try await post(gateway, gateway.processURL, xml)
        #expect(answer.status == 200)
        return try transaction(answer.body)
    }

    static func sale(_ gateway: RunningGateway, _ sale: SDDSale) async throws -> GatewayTransaction {
        try await process(gateway, GenesisWire.saleXML(sale))
    }

    static func reconcile(_ gateway: RunningGateway, _ reference: TransactionReference) async throws -> GatewayTransaction? {
        let found = try transaction(try await post(gateway, gateway.reconcileURL, GenesisWire.reconcileXML(reference)).body)
        return found.code == GenesisErrorCode.notFound ? nil : found
    }

    /// Polls `condition` every 10 ms for up to `timeout`, then records a failure.
    static func eventually(timeout: Duration = .seconds(5), _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while !condition() {
            guard ContinuousClock.now < deadline else {
                Issue.record("condition not met within \(timeout)")
                return
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}

/// A merchant's notification endpoint for one test: records each POST's form fields and echoes
/// it, answering a wrong echo for the first `wrongEchoes` POSTs of each `unique_id`.
struct NotificationReceiver: Sendable {
    let url: String
    private let log: NotificationLog

    var received: [[String: String]] { log.entries.withLock { $0 } }

    static func with<T: Sendable>(wrongEchoes: Int = 0, _ body: (NotificationReceiver) async throws -> T) async throws -> T {
        let log = NotificationLog()
        let router = Router()
        router.post("/notify") { request, _ -> Response in
            var request = request
            let bytes = try await request.collectBody(upTo: 64 * 1024)
            let fields = Self.form(String(buffer: bytes))
            let uniqueID = fields["unique_id"] ?? ""
            let seen = log.entries.withLock { log in
                log.append(fields)
                return log.filter { $0["unique_id"] == uniqueID }.count
            }
            let echo = GenesisNotificationEcho.xml(uniqueID: seen <= wrongEchoes ? "not-\(uniqueID)" : uniqueID)
            return Response(status: .ok, headers: [.contentType: "application/xml"], body: ResponseBody(byteBuffer: ByteBuffer(string: echo)))
        }
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let logger = RunningGateway.quietLogger
        let app = Application(
            router: router, configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            }, logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                defer { continuation.finish() }
                try await app.run()
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else {
                try await group.next()
                throw CancellationError()
            }
            defer { group.cancelAll() }
            return try await body(NotificationReceiver(url: "http://127.0.0.1:\(port)/notify", log: log))
        }
    }

    /// `a=1&b=x+y` → `["a": "1", "b": "x y"]`.
    static func form(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ part: Substring) -> String {
                String(part).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(part)
            }
            fields[decode(parts[0])] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return fields
    }
}

/// The form fields of every notification a `NotificationReceiver` got, in arrival order.
final class NotificationLog: Sendable {
    let entries = Mutex<[[String: String]]>([])
}
