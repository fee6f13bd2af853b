import Logging
import SluiceSimulators
import SluiceTestSupport
import Testing

@testable import SluiceGenesis

/// `GenesisClient` against the gateway simulator: the client's XML and the simulator's agree.
struct GenesisClientSimulatorTests {
    static let everyDay = GatewayDateRange(startDate: "2000-01-01", endDate: "2999-12-31")

    private func client(_ gateway: RunningGateway, password: String? = nil) -> GenesisClient {
        var logger = Logger(label: "test.genesis")
        logger.logLevel = .critical
        let configuration = GenesisConfiguration(
            baseURL: gateway.baseURL, terminalToken: gateway.terminal, login: gateway.login, password: password ?? gateway.password,
            timeout: .seconds(5), retryBaseDelay: .milliseconds(10))
        return GenesisClient(configuration: configuration, logger: logger)
    }

    private func sale(_ id: String, amountMinor: Int64 = 1999, iban: String = "DE89370400440532013000") -> SDDSale {
        SDDSale(
            transactionID: id, usage: "Membership", amountMinor: amountMinor, currency: "EUR", iban: iban,
            billingAddress: BillingAddress(firstName: "Zoë", lastName: "O'Brien", country: "DE"))
    }

    @Test func anApprovedSaleReconcilesByEitherID() async throws {
        try await RunningGateway.with { gateway in
            let client = client(gateway)
            let answer = try await client.sale(sale("sale-approved-1"))
            #expect(answer.status == .approved)
            #expect(answer.transactionID == "sale-approved-1")
            #expect(answer.amountMinor == 1999)
            let uniqueID = try #require(answer.uniqueID)
            let byTransactionID = try await client.reconcile(.transactionID("sale-approved-1"))
            let byUniqueID = try await client.reconcile(.uniqueID(uniqueID))
            #expect(byTransactionID?.status == .approved)
            #expect(byTransactionID?.uniqueID == uniqueID)
            #expect(byUniqueID?.transactionID == "sale-approved-1")
            let unknown = try await client.reconcile(.transactionID("never-sent"))
            #expect(unknown == nil)
        }
    }

    @Test func aDeclinedSaleCarriesItsReasonCode() async throws {
        try await RunningGateway.with { gateway in
            let answer = try await client(gateway).sale(sale("sale-declined-1", amountMinor: 1951))
            #expect(answer.status == .declined)
            #expect(answer.reasonCode == "AM04")
        }
    }

    @Test func theSameTransactionIDTwiceIsADoublet() async throws {
        try await RunningGateway.with { gateway in
            let client = client(gateway)
            _ = try await client.sale(sale("sale-twice"))
            let again = try await client.sale(sale("sale-twice"))
            #expect(again.isDoublet)
        }
    }

    @Test func wrongCredentialsAreStatus401() async throws {
        try await RunningGateway.with { gateway in
            do {
                _ = try await client(gateway, password: "wrong").sale(sale("sale-unauthorised"))
                Issue.record("expected a GatewayError")
            } catch let error as GatewayError {
                #expect(error.kind == .status(401))
            }
        }
    }

    @Test func aByDateWalkVisitsEveryTransactionOnce() async throws {
        try await RunningGateway.with { gateway in
            let client = client(gateway)
            let ids = (1...205).map { "walk-\($0)" }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for chunk in stride(from: 0, to: ids.count, by: 52) {
                    group.addTask {
                        for id in ids[chunk..<min(chunk + 52, ids.count)] { _ = try await client.sale(sale(id)) }
                    }
                }
                try await group.waitForAll()
            }
            var seen: [String] = []
            var page = 1
            var pages = 0
            while true {
                let answer = try await client.reconcileByDate(Self.everyDay, page: page)
                #expect(answer.page == page)
                #expect(answer.totalCount == 205)
                seen += answer.items.compactMap(\.transactionID)
                pages += 1
                if answer.isLast || pages > 10 { break }
                page += 1
            }
            #expect(pages == 3)
            #expect(seen.count == 205)
            #expect(Set(seen) == Set(ids))
        }
    }

    @Test func aVoidCancelsAnApprovedSale() async throws {
        try await RunningGateway.with { gateway in
            let client = client(gateway)
            let sold = try await client.sale(sale("sale-to-void"))
            let uniqueID = try #require(sold.uniqueID)
            let void = try await client.void(referenceUniqueID: uniqueID, transactionID: "void-1")
            #expect(void.transactionType == "void")
            #expect(void.status == .approved)
            let original = try await client.reconcile(.uniqueID(uniqueID))
            #expect(original?.status == .voided)
            let unknown = try await client.void(referenceUniqueID: "no-such-id", transactionID: "void-2")
            #expect(unknown.status == .error)
        }
    }

    @Test func chargebacksArriveByDate() async throws {
        let iban = "NL91ABNA0417164300"
        let configuration = GatewaySimulatorConfiguration(chargebackIBANs: [iban: "MD06"], chargebackDelayMs: 20)
        try await RunningGateway.with(configuration) { gateway in
            let client = client(gateway)
            let sold = try await client.sale(sale("sale-charged-back", iban: iban))
            #expect(sold.status == .approved)
            var page = try await client.chargebacksByDate(Self.everyDay, page: 1, perPage: 50)
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(5)
            while page.items.isEmpty, clock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
                page = try await client.chargebacksByDate(Self.everyDay, page: 1, perPage: 50)
            }
            let chargeback = try #require(page.items.first)
            #expect(chargeback.originalTransactionUniqueID == sold.uniqueID)
            #expect(chargeback.reasonCode == "MD06")
            #expect(page.perPage == 50)
        }
    }
}
