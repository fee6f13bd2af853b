import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import SluiceGenesis

/// An emerchantpay Genesis gateway for tests, benchmarks and the demo: a real HTTP server that
/// speaks Genesis's XML, charges each `transaction_id` at most once, decides outcomes from the
/// amount and the IBAN, notifies, charges back, and misbehaves on request.
///
/// | route | what |
/// |---|---|
/// | `POST /process/{terminal}/` | `sdd_sale` and `void` `<payment_transaction>` → `<payment_response>` |
/// | `POST /reconcile/{terminal}/` | `<reconcile>` by `unique_id` or `transaction_id` → its `<payment_response>`, or error 460 |
/// | `POST /reconcile/by_date/{terminal}/` | `<reconcile>` with `start_date`, `end_date`, `page` → `<payment_responses>`, 100 a page, oldest first |
/// | `POST /chargebacks/by_date[/{terminal}/]` | `<chargeback_request>` with dates, `page`, `per_page` → `<chargeback_responses>` |
/// | `GET /_sim/ledger[?transaction_id=]` | `{"entries":[…]}`: `GatewayLedgerEntry`s in creation order, IBANs masked |
/// | `GET /_sim/stats` | `GatewaySimulatorStats` |
/// | `GET`/`POST /_sim/config` | the fault settings; POST a partial `GatewayFaultConfiguration` (plus `seed`) |
/// | `POST /_sim/reset` | empty the ledger, drop scheduled events, zero the counters, restart the generator |
///
/// Gateway routes take paths with or without the trailing slash and need HTTP Basic auth with
/// the configured login and password: otherwise 401 with an error `<payment_response>`, code
/// 120. Like Genesis, every other refusal is HTTP 200 with status `error`: 130 for an unknown
/// terminal, 350 for a body that is not XML, 320 for a missing field, 340 for an invalid one (or
/// a non-XML `Content-Type`). The outcome rules are `GatewayOutcomeRules`; a known
/// `transaction_id` is a doublet (450) and changes nothing. A void of an unknown `reference_id`
/// is 410, of a sale that is not approved or pending 420.
///
/// ```swift
/// let simulator = GatewaySimulator(configuration: .init(port: 0)) { port in print("listening on \(port)") }
/// try await simulator.run()
/// ```
public struct GatewaySimulator: Service, SimulatorControl {
    /// Genesis codes the simulator answers beyond `GenesisErrorCode`.
    public enum Code {
        public static let unknownTerminal = 130
        public static let missingField = 320
        public static let invalidXML = 350
        public static let referenceNotFound = 410
        public static let referenceNotVoidable = 420
        public static let declined = 510
    }

    public let configuration: GatewaySimulatorConfiguration
    private let state: GatewaySimulatorState
    private let queue: GatewayEventQueue
    private let terminals: Set<String>
    private let logger: Logger
    private let onListening: @Sendable (Int) -> Void

    /// - Parameter onListening: called with the bound port once the server accepts connections.
    public init(
        configuration: GatewaySimulatorConfiguration = GatewaySimulatorConfiguration(),
        logger: Logger = Logger(label: "sluice.simulator.gateway"),
        onListening: @escaping @Sendable (Int) -> Void = { _ in }
    ) {
        self.configuration = configuration
        self.state = GatewaySimulatorState(configuration: configuration)
        self.queue = GatewayEventQueue(capacity: configuration.notificationQueueCapacity)
        self.terminals = Set(configuration.terminals)
        self.logger = logger
        self.onListening = onListening
    }

    /// Serves until the task is cancelled or a graceful shutdown is asked for. Settlements,
    /// chargebacks and notifications run in the same task group, `notificationConcurrency`
    /// notifications at a time, and end with it; on a graceful shutdown, held answers end at once.
    public func run() async throws {
        let server = SimulatorServer(
            router: router(), host: configuration.host, port: configuration.port, serverName: "sluice-gateway-simulator", logger: logger,
            onListening: onListening)
        let notifier = GatewayNotifier(
            queue: queue, state: state, attempts: configuration.notificationAttempts,
            retry: .milliseconds(configuration.notificationRetryMs), timeout: .milliseconds(Int64(configuration.notificationTimeoutMs)),
            client: .shared)
        let queue = queue
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            group.addTask { await runScheduler() }
            for _ in 0..<max(configuration.notificationConcurrency, 1) {
                group.addTask { await notifier.run() }
            }
            // The server ends first (shutdown or cancellation); the rest end with it.
            defer {
                queue.stop()
                group.cancelAll()
            }
            try await group.next()
        }
    }

    /// The ledger in creation order, or the entry of one `transaction_id`, as `GET /_sim/ledger` shows it.
    public func ledger(transactionID: String? = nil) -> [GatewayLedgerEntry] { state.entries(transactionID: transactionID) }

    /// What the simulator has seen so far.
    public func stats() -> GatewaySimulatorStats { state.stats(pendingEvents: queue.pendingCount) }

    /// The fault settings now.
    public var faults: GatewayFaultConfiguration { state.faults }

    /// Replaces the fault settings.
    public func setFaults(_ faults: GatewayFaultConfiguration) { state.setFaults(faults) }

    /// Changes some fault settings, as `POST /_sim/config` does.
    @discardableResult
    public func update(_ patch: GatewayFaultConfiguration.Patch) -> GatewayFaultConfiguration { state.update(patch) }

    /// Empties the ledger, drops scheduled events and zeroes the counters, as `POST /_sim/reset` does.
    public func reset() {
        state.reset()
        queue.clear()
    }

    /// The `unique_id` the simulator gives `transactionID` on `terminal`: the first 32 hex digits
    /// of SHA-256(terminal + transaction_id).
    public static func uniqueID(terminal: String, transactionID: String) -> String {
        GatewayLedger.uniqueID(terminal: terminal, transactionID: transactionID)
    }

    // MARK: Events

    /// Takes events as they fall due: settles, charges back, and hands notifications to the senders.
    private func runScheduler() async {
        while let event = await queue.nextDue() {
            switch event {
            case .notify(let notification):
                await queue.enqueue(notification)
            case .settle(let transactionID):
                for (event, delay) in state.settle(transactionID: transactionID) { queue.schedule(event, after: delay) }
            case .chargeback(let transactionID):
                for notification in state.chargeback(transactionID: transactionID) { await queue.enqueue(notification) }
            }
        }
    }

    // MARK: Routes

    func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.post("/process/:terminal") { request, context in
            try await gateway(request, terminal: context.parameters.get("terminal")) { try await process($0, terminal: $1!) }
        }
        router.post("/reconcile/by_date/:terminal") { request, context in
            try await gateway(request, terminal: context.parameters.get("terminal")) { try reconcileByDate($0, terminal: $1!) }
        }
        router.post("/reconcile/:terminal") { request, context in
            try await gateway(request, terminal: context.parameters.get("terminal")) { try reconcile($0, terminal: $1!) }
        }
        router.post("/chargebacks/by_date") { request, _ in
            try await gateway(request, terminal: nil) { try chargebacksByDate($0, terminal: $1) }
        }
        router.post("/chargebacks/by_date/:terminal") { request, context in
            try await gateway(request, terminal: context.parameters.get("terminal")) { try chargebacksByDate($0, terminal: $1) }
        }
        router.get("/_sim/ledger") { request, _ in
            Response.json(GatewayLedgerSnapshot(entries: ledger(transactionID: request.uri.queryParameters["transaction_id"].map(String.init))))
        }
        router.addSimulatorControl(self)
        return router
    }

    /// Waits the latency, checks the login, the terminal, the content type and the XML, then
    /// hands the document to `handle`.
    private func gateway(
        _ request: Request, terminal: String?, handle: (GenesisXMLElement, String?) async throws -> Response
    ) async throws -> Response {
        var request = request
        let latency = state.faults.latencyMs
        if latency > 0 { try await SimulatorServer.pause(.milliseconds(latency)) }
        guard authorized(request.headers[.authorization]) else {
            state.countUnauthorized()
            return Self.xml(
                GenesisWire.errorXML(code: GenesisErrorCode.authentication, message: "Authentication failed", technicalMessage: "wrong or missing API login or password"),
                status: .unauthorized)
        }
        let terminal = terminal.map { $0.removingPercentEncoding ?? $0 }
        if let terminal, !terminals.contains(terminal) {
            state.countInvalid()
            return Self.xml(GenesisWire.errorXML(code: Code.unknownTerminal, message: "Unknown terminal", technicalMessage: "terminal token is not configured"))
        }
        if let type = request.headers[.contentType]?.lowercased(), !(type.contains("xml")) {
            state.countInvalid()
            return Self.xml(GenesisWire.errorXML(code: GenesisErrorCode.inputInvalid, message: "Invalid content type", technicalMessage: "expected text/xml or application/xml"))
        }
        let body = try await request.collectBody(upTo: GenesisXMLReader.defaultMaxBytes + 1)
        let root: GenesisXMLElement
        do {
            root = try GenesisXMLReader.parse(Array(body.readableBytesView))
        } catch {
            state.countInvalid()
            return Self.xml(GenesisWire.errorXML(code: Code.invalidXML, message: "Invalid XML", technicalMessage: "\(error)"))
        }
        do {
            return try await handle(root, terminal)
        } catch let problem as GenesisWireProblem {
            state.countInvalid()
            let missing = problem.reason.hasPrefix("missing")
            return Self.xml(GenesisWire.errorXML(
                code: missing ? Code.missingField : GenesisErrorCode.inputInvalid, message: missing ? "Missing input data" : "Invalid input data",
                technicalMessage: problem.description, transactionType: GenesisWire.transactionType(of: root) ?? "",
                transactionID: root.value("transaction_id")))
        }
    }

    private func process(_ root: GenesisXMLElement, terminal: String) async throws -> Response {
        switch GenesisWire.transactionType(of: root) {
        case GenesisWire.saleType?: return try await sale(GenesisWire.sale(from: root), terminal: terminal)
        case GenesisWire.voidType?: return try await void(GenesisWire.void(from: root), terminal: terminal)
        case nil: throw GenesisWireProblem(field: "transaction_type", reason: "missing")
        case _?: throw GenesisWireProblem(field: "transaction_type", reason: "not supported by the simulator (sdd_sale or void)")
        }
    }

    private func sale(_ sale: SDDSale, terminal: String) async throws -> Response {
        let done = state.sale(sale, terminal: terminal)
        defer { state.saleEnded() }
        if done.plan.fault == .error { return Self.injectedError(done.plan) }
        for (event, delay) in done.events { queue.schedule(event, after: delay) }
        let answer: GatewayTransaction
        switch done.result {
        case .doublet?, nil:
            answer = GatewayTransaction(
                transactionType: GenesisWire.saleType, status: .error, transactionID: sale.transactionID, code: GenesisErrorCode.doublet,
                message: "Transaction already exists", technicalMessage: "a transaction with this transaction_id was already processed",
                timestamp: GatewayTime.timestamp(Date()), amountMinor: sale.amountMinor, currency: sale.currency)
        case .recorded(let record)?:
            answer = record.transaction
        }
        if done.plan.fault == .timeoutAfterAccept { try await SimulatorServer.pause(done.plan.hang) }
        return Self.xml(GenesisWire.responseXML(answer))
    }

    private func void(_ request: GenesisWire.VoidRequest, terminal: String) async throws -> Response {
        let done = state.void(request, terminal: terminal)
        if done.plan.fault == .error { return Self.injectedError(done.plan) }
        let now = GatewayTime.timestamp(Date())
        let answer: GatewayTransaction
        switch done.result {
        case .voided(let void, _)?:
            answer = void.transaction
        case .doublet?, nil:
            answer = GatewayTransaction(
                transactionType: GenesisWire.voidType, status: .error, transactionID: request.transactionID, code: GenesisErrorCode.doublet,
                message: "Transaction already exists", technicalMessage: "a transaction with this transaction_id was already processed", timestamp: now)
        case .referenceNotFound?:
            answer = GatewayTransaction(
                transactionType: GenesisWire.voidType, status: .error, transactionID: request.transactionID, code: Code.referenceNotFound,
                message: "Reference transaction not found", technicalMessage: "no transaction with this reference_id on this terminal", timestamp: now)
        case .notVoidable(let original)?:
            answer = GatewayTransaction(
                transactionType: GenesisWire.voidType, status: .error, transactionID: request.transactionID, code: Code.referenceNotVoidable,
                message: "Reference transaction cannot be voided", technicalMessage: "the reference is \(original.entry.status.rawValue)", timestamp: now)
        }
        if done.plan.fault == .timeoutAfterAccept { try await SimulatorServer.pause(done.plan.hang) }
        return Self.xml(GenesisWire.responseXML(answer))
    }

    private func reconcile(_ root: GenesisXMLElement, terminal: String) throws -> Response {
        let reference = try GenesisWire.reconcile(from: root)
        guard let record = state.reconcile(reference, terminal: terminal) else {
            return Self.xml(GenesisWire.errorXML(code: GenesisErrorCode.notFound, message: "Transaction not found"))
        }
        return Self.xml(GenesisWire.responseXML(record.transaction))
    }

    private func reconcileByDate(_ root: GenesisXMLElement, terminal: String) throws -> Response {
        let query = try GenesisWire.reconcileByDate(from: root)
        let (start, end) = try Self.days(query.range)
        let perPage = Self.reconcilePerPage
        let (items, total) = state.transactions(terminal: terminal, startDay: start, endDay: end, page: query.page, perPage: perPage)
        let page = GatewayPage(
            items: items.map(\.transaction), page: query.page, pagesCount: Self.pagesCount(total, perPage), perPage: perPage, totalCount: total)
        return Self.xml(GenesisWire.transactionsPageXML(page))
    }

    private func chargebacksByDate(_ root: GenesisXMLElement, terminal: String?) throws -> Response {
        let query = try GenesisWire.chargebacksByDate(from: root)
        let (start, end) = try Self.days(query.range)
        let perPage = min(query.perPage ?? Self.reconcilePerPage, 10_000)
        let (items, total) = state.chargebacks(terminal: terminal, startDay: start, endDay: end, page: query.page, perPage: perPage)
        let page = GatewayPage(items: items, page: query.page, pagesCount: Self.pagesCount(total, perPage), perPage: perPage, totalCount: total)
        return Self.xml(GenesisWire.chargebacksPageXML(page))
    }

    // MARK: Helpers

    /// Whether `header` is HTTP Basic auth with the configured login and password.
    private func authorized(_ header: String?) -> Bool {
        guard let header, header.count > 6, header.prefix(6).lowercased() == "basic " else { return false }
        guard let data = Data(base64Encoded: String(header.dropFirst(6)).trimmingCharacters(in: .whitespaces)) else { return false }
        return String(decoding: data, as: UTF8.self) == "\(configuration.login):\(configuration.password)"
    }

    /// `reconcile/by_date` answers this many a page, as Genesis does.
    static let reconcilePerPage = 100

    static func pagesCount(_ total: Int, _ perPage: Int) -> Int {
        max(1, (total + perPage - 1) / perPage)
    }

    static func days(_ range: GatewayDateRange) throws -> (String, String) {
        guard let start = GatewayTime.requestDay(range.startDate) else {
            throw GenesisWireProblem(field: "start_date", reason: "not a date (yyyy-MM-dd)")
        }
        guard let end = GatewayTime.requestDay(range.endDate) else {
            throw GenesisWireProblem(field: "end_date", reason: "not a date (yyyy-MM-dd)")
        }
        return (start, end)
    }

    private static func injectedError(_ plan: GatewaySimulatorState.Plan) -> Response {
        Response(
            status: HTTPResponse.Status(code: plan.errorStatus), headers: [.contentType: "text/plain"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: "injected error\n")))
    }

    static func xml(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/xml"], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
