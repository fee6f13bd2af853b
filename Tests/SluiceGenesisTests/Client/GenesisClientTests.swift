import Foundation
import Hummingbird
import Logging
import NIOCore
import Synchronization
import Testing

@testable import SluiceGenesis

struct GenesisClientTests {
    static let terminal = "tok-1"
    static let login = "api-login"
    static let password = "api-password-secret"
    static var expectedAuthorization: String { "Basic " + Data("\(login):\(password)".utf8).base64EncodedString() }

    static let sale = GenesisWireTests.sale

    private func client(
        _ server: CannedGateway, timeout: Duration = .seconds(5), readRetries: Int = 3, password: String = Self.password,
        maxResponseBytes: Int = 1 << 20, logger: Logger? = nil
    ) -> GenesisClient {
        clientFor(baseURL: server.baseURL, timeout: timeout, readRetries: readRetries, password: password, maxResponseBytes: maxResponseBytes, logger: logger)
    }

    private func clientFor(
        baseURL: String, timeout: Duration = .seconds(5), readRetries: Int = 3, password: String = Self.password,
        maxResponseBytes: Int = 1 << 20, logger: Logger? = nil
    ) -> GenesisClient {
        let configuration = GenesisConfiguration(
            baseURL: baseURL, terminalToken: Self.terminal, login: Self.login, password: password, timeout: timeout,
            readRetries: readRetries, retryBaseDelay: .milliseconds(10), maxResponseBytes: maxResponseBytes)
        var quiet = Logger(label: "test.genesis")
        quiet.logLevel = .critical
        return GenesisClient(configuration: configuration, logger: logger ?? quiet)
    }

    /// Answers like a gateway that checks credentials and content type, approving every sale.
    private static let checkingGateway: @Sendable (CannedGateway.Seen, Int, CannedGateway) async throws -> Response = { seen, _, _ in
        guard seen.authorization == expectedAuthorization else {
            return CannedGateway.xml(GenesisWire.errorXML(code: GenesisErrorCode.authentication, message: "Invalid Authentication"), status: .unauthorized)
        }
        guard seen.contentType == "text/xml" else { return CannedGateway.xml("", status: .unsupportedMediaType) }
        let root = try GenesisXMLReader.parse(Array(seen.body.utf8))
        let sale = try GenesisWire.sale(from: root)
        return CannedGateway.xml(GenesisWire.responseXML(GatewayTransaction(
            transactionType: "sdd_sale", status: .approved, uniqueID: "u-\(sale.transactionID)", transactionID: sale.transactionID,
            amountMinor: sale.amountMinor, currency: sale.currency)))
    }

    private func gatewayError(_ body: () async throws -> some Any) async -> GatewayError? {
        do {
            _ = try await body()
            Issue.record("expected a GatewayError")
            return nil
        } catch let error as GatewayError {
            return error
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }

    @Test func saleSendsBasicAuthAndTextXMLAndReadsTheAnswer() async throws {
        try await CannedGateway.with(Self.checkingGateway) { server in
            let answer = try await client(server).sale(Self.sale)
            #expect(answer.status == .approved)
            #expect(answer.uniqueID == "u-\(Self.sale.transactionID)")
            #expect(answer.amountMinor == 1999)
            let request = try #require(server.requests.first)
            #expect(request.path == "/process/tok-1/")
            #expect(try GenesisWire.sale(from: GenesisXMLReader.parse(Array(request.body.utf8))) == Self.sale)
        }
    }

    @Test func wrongCredentialsAreStatus401() async throws {
        try await CannedGateway.with(Self.checkingGateway) { server in
            let error = await gatewayError { try await client(server, password: "wrong").sale(Self.sale) }
            #expect(error?.kind == .status(401))
            #expect(error?.outcomeUnknown == false)
            #expect(error?.detail.contains("120") == true)
            #expect(error?.description.contains("wrong") == false)
        }
    }

    @Test func aGatewayErrorAnswerIsReturnedNotThrown() async throws {
        try await CannedGateway.with({ _, _, _ in
            CannedGateway.xml(GenesisWire.errorXML(
                code: GenesisErrorCode.doublet, message: "Transaction already exists", transactionType: "sdd_sale", transactionID: "inv-2024-0001-a1"))
        }) { server in
            let answer = try await client(server).sale(Self.sale)
            #expect(answer.status == .error)
            #expect(answer.isDoublet)
        }
    }

    @Test func aDoctypeAnswerIsMalformed() async throws {
        let laughs = """
            <?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
            <payment_response><status>approved</status><message>&b;</message></payment_response>
            """
        try await CannedGateway.with({ _, _, _ in CannedGateway.xml(laughs) }) { server in
            let error = await gatewayError { try await client(server).sale(Self.sale) }
            #expect(error?.kind == .malformedAnswer)
            #expect(error?.outcomeUnknown == true)
            #expect(error?.detail.contains("DOCTYPE") == true)
        }
    }

    @Test func anAnswerWithAnUnknownStatusIsMalformed() async throws {
        let odd = "<payment_response><transaction_type>sdd_sale</transaction_type><status>perhaps</status></payment_response>"
        try await CannedGateway.with({ _, _, _ in CannedGateway.xml(odd) }) { server in
            let error = await gatewayError { try await client(server).sale(Self.sale) }
            #expect(error?.kind == .malformedAnswer)
            #expect(error?.detail.contains("status") == true)
        }
    }

    @Test func anOversizeAnswerIsRefusedByItsLength() async throws {
        let huge = ByteBuffer(repeating: UInt8(ascii: "a"), count: 5 << 20)
        try await CannedGateway.with({ _, _, _ in
            Response(status: .ok, headers: [.contentType: "text/xml"], body: ResponseBody(byteBuffer: huge))
        }) { server in
            let clock = ContinuousClock()
            let started = clock.now
            let error = await gatewayError { try await client(server).sale(Self.sale) }
            #expect(error?.kind == .malformedAnswer)
            #expect(started.duration(to: clock.now) < .seconds(2))
        }
    }

    @Test func anOversizeStreamedAnswerIsCutOffNearTheLimit() async throws {
        let written = Mutex(0)
        let ended = Mutex(false)
        let chunk = ByteBuffer(repeating: UInt8(ascii: "a"), count: 64 << 10)
        try await CannedGateway.with({ _, _, _ in
            Response(status: .ok, headers: [.contentType: "text/xml"], body: ResponseBody { writer in
                defer { ended.withLock { $0 = true } }
                // Up to 64 MiB, paced so reading it all would take seconds.
                for _ in 0..<1024 {
                    try await writer.write(chunk)
                    written.withLock { $0 += chunk.readableBytes }
                    try await Task.sleep(for: .milliseconds(2))
                }
                try await writer.finish(nil)
            })
        }) { server in
            let clock = ContinuousClock()
            let started = clock.now
            let error = await gatewayError { try await client(server).reconcile(.uniqueID("u1")) }
            #expect(error?.kind == .malformedAnswer)
            #expect(started.duration(to: clock.now) < .seconds(2))
            // The connection is dropped: the server's writes fail well before the whole body.
            let deadline = clock.now + .seconds(5)
            while !ended.withLock({ $0 }), clock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            #expect(ended.withLock { $0 })
            #expect(written.withLock { $0 } < 16 << 20)
            #expect(server.requests.count == 1)
        }
    }

    @Test func aSaleAnswered500IsSentOnceAndItsOutcomeIsUnknown() async throws {
        try await CannedGateway.with({ _, _, _ in CannedGateway.xml("oops", status: .internalServerError) }) { server in
            let error = await gatewayError { try await client(server).sale(Self.sale) }
            #expect(error?.kind == .status(500))
            #expect(error?.outcomeUnknown == true)
            #expect(error?.transactionID == Self.sale.transactionID)
            #expect(server.requests.count == 1)
        }
    }

    @Test func aVoidIsSentOnceToo() async throws {
        try await CannedGateway.with({ _, _, _ in CannedGateway.xml("", status: .badGateway) }) { server in
            let error = await gatewayError { try await client(server).void(referenceUniqueID: "u1", transactionID: "void-1") }
            #expect(error?.kind == .status(502))
            #expect(server.requests.count == 1)
            let void = try GenesisWire.void(from: GenesisXMLReader.parse(Array(server.requests[0].body.utf8)))
            #expect(void.referenceUniqueID == "u1")
        }
    }

    @Test func aReconcileAnswered500IsRetried() async throws {
        let approved = GenesisWire.responseXML(GenesisWireTests.approved)
        try await CannedGateway.with({ _, number, _ in
            switch number {
            case 1: CannedGateway.xml("", status: .internalServerError)
            case 2: CannedGateway.xml("", status: .tooManyRequests)
            default: CannedGateway.xml(approved)
            }
        }) { server in
            let answer = try await client(server).reconcile(.transactionID("inv-1"))
            #expect(answer == GenesisWireTests.approved)
            #expect(server.requests.count == 3)
            #expect(server.requests.allSatisfy { $0.path == "/reconcile/tok-1/" })
            #expect(try GenesisWire.reconcile(from: GenesisXMLReader.parse(Array(server.requests[0].body.utf8))) == .transactionID("inv-1"))
        }
    }

    @Test func aReconcileGivesUpAfterItsRetries() async throws {
        try await CannedGateway.with({ _, _, _ in CannedGateway.xml("", status: .serviceUnavailable) }) { server in
            let error = await gatewayError { try await client(server, readRetries: 2).reconcile(.uniqueID("u1")) }
            #expect(error?.kind == .status(503))
            #expect(server.requests.count == 3)
        }
    }

    @Test func aReconcileAnswered400IsNotRetried() async throws {
        try await CannedGateway.with({ _, _, _ in CannedGateway.xml("", status: .badRequest) }) { server in
            let error = await gatewayError { try await client(server).reconcile(.uniqueID("u1")) }
            #expect(error?.kind == .status(400))
            #expect(server.requests.count == 1)
        }
    }

    @Test func reconcileOfAnUnknownTransactionIsNil() async throws {
        try await CannedGateway.with({ _, _, _ in
            CannedGateway.xml(GenesisWire.errorXML(code: GenesisErrorCode.notFound, message: "Transaction not found"))
        }) { server in
            let answer = try await client(server).reconcile(.transactionID("nope"))
            #expect(answer == nil)
        }
    }

    @Test func reconcileReturnsOtherGatewayErrors() async throws {
        try await CannedGateway.with({ _, _, _ in
            CannedGateway.xml(GenesisWire.errorXML(code: GenesisErrorCode.inputInvalid, message: "Invalid input"))
        }) { server in
            let answer = try await client(server).reconcile(.uniqueID("u1"))
            #expect(answer?.status == .error)
            #expect(answer?.code == 340)
        }
    }

    @Test func aSaleThatHangsPastTheTimeoutHasNoAnswer() async throws {
        try await CannedGateway.with({ _, _, server in
            await server.hang()
            return CannedGateway.xml("")
        }) { server in
            let clock = ContinuousClock()
            let started = clock.now
            let error = await gatewayError { try await client(server, timeout: .milliseconds(300)).sale(Self.sale) }
            #expect(error?.kind == .noAnswer)
            #expect(error?.outcomeUnknown == true)
            #expect(started.duration(to: clock.now) < .seconds(3))
            #expect(server.requests.count == 1)
        }
    }

    @Test func aClosedPortIsNotSent() async throws {
        let port = try await CannedGateway.with({ _, _, _ in CannedGateway.xml("") }) { $0.port }
        let error = await gatewayError { try await clientFor(baseURL: "http://127.0.0.1:\(port)", timeout: .seconds(1)).sale(Self.sale) }
        #expect(error?.kind == .notSent)
        #expect(error?.outcomeUnknown == false)
        let read = await gatewayError {
            try await clientFor(baseURL: "http://127.0.0.1:\(port)", timeout: .milliseconds(300), readRetries: 1).reconcile(.uniqueID("u"))
        }
        #expect(read?.kind == .notSent)
    }

    @Test func reconcileByDateReadsAPageFromItsPath() async throws {
        let page = GatewayPage(items: [GenesisWireTests.approved, GenesisWireTests.declined], page: 2, pagesCount: 2, perPage: 2, totalCount: 4)
        try await CannedGateway.with({ _, _, _ in CannedGateway.xml(GenesisWire.transactionsPageXML(page)) }) { server in
            let range = GatewayDateRange(startDate: "2024-05-01", endDate: "2024-05-31")
            #expect(try await client(server).reconcileByDate(range, page: 2) == page)
            let request = try #require(server.requests.first)
            #expect(request.path == "/reconcile/by_date/tok-1/")
            #expect(try GenesisWire.reconcileByDate(from: GenesisXMLReader.parse(Array(request.body.utf8))) == GenesisWire.DateQuery(range: range, page: 2))
        }
    }

    @Test func chargebacksByDateReadsAPageFromItsPath() async throws {
        let page = GatewayPage(
            items: [GatewayChargeback(originalTransactionUniqueID: "u1", reasonCode: "MD06", amountMinor: 1999, currency: "EUR")],
            page: 1, pagesCount: 1, perPage: 50, totalCount: 1)
        try await CannedGateway.with({ _, _, _ in CannedGateway.xml(GenesisWire.chargebacksPageXML(page)) }) { server in
            let range = GatewayDateRange(startDate: "2024-05-01", endDate: "2024-05-31")
            #expect(try await client(server).chargebacksByDate(range, page: 1, perPage: 50) == page)
            let request = try #require(server.requests.first)
            #expect(request.path == "/chargebacks/by_date")
            #expect(request.authorization == Self.expectedAuthorization)
        }
    }

    @Test func aByDateCallThatFindsNothingIsAnEmptyLastPage() async throws {
        try await CannedGateway.with({ _, _, _ in
            CannedGateway.xml(GenesisWire.errorXML(code: GenesisErrorCode.notFound, message: "No transactions found"))
        }) { server in
            let page = try await client(server).reconcileByDate(GatewayDateRange(startDate: "2024-05-01", endDate: "2024-05-02"), page: 1)
            #expect(page.items.isEmpty)
            #expect(page.isLast)
        }
    }

    @Test func logsMaskTheIBANAndNeverThePassword() async throws {
        let (logger, lines) = RecordingLogHandler.logger()
        try await CannedGateway.with(Self.checkingGateway) { server in
            _ = try await client(server, logger: logger).sale(Self.sale)
            _ = try? await client(server, password: "wrong", logger: logger).sale(Self.sale)
        }
        let all = lines.all.joined(separator: "\n")
        #expect(!lines.all.isEmpty)
        #expect(all.contains("DE89**************3000"))
        #expect(all.contains("inv-2024-0001-a1"))
        #expect(!all.contains("DE89370400440532013000"))
        #expect(!all.contains(Self.password))
    }
}
