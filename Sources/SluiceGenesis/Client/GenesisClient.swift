import AsyncHTTPClient
import Logging
import SluiceCore

/// The `PaymentGateway` over the Genesis XML API: emerchantpay's gateway, or the gateway
/// simulator, depending on `GenesisConfiguration.baseURL`.
///
/// A sale or void is sent once and never retried here: billing decides, after reconciling an
/// attempt whose outcome is unknown. The read-only calls (reconcile, by-date, chargebacks) are
/// retried on `.notSent`, `.noAnswer`, 429 and 5xx, up to `readRetries` times with jittered
/// exponential backoff.
///
/// ```swift
/// let gateway = GenesisClient(configuration: try .fromEnvironment(terminal: "5f2c…"))
/// let answer = try await gateway.sale(sale)
/// if answer.status == .approved { … }
/// ```
public struct GenesisClient: PaymentGateway {
    public let configuration: GenesisConfiguration
    private let transport: GenesisTransport
    private let logger: Logger

    /// - Parameters:
    ///   - httpClient: the client to call through; `HTTPClient.shared` unless told otherwise.
    ///   - logger: debug lines per call (endpoint, transaction id, status, duration; IBANs masked).
    public init(configuration: GenesisConfiguration, httpClient: HTTPClient = .shared, logger: Logger = Logger(label: "sluice.genesis")) {
        self.configuration = configuration
        self.transport = GenesisTransport(configuration: configuration, httpClient: httpClient)
        self.logger = logger
    }

    public func sale(_ sale: SDDSale) async throws -> GatewayTransaction {
        var logger = logger
        logger[metadataKey: "iban"] = "\(IBANMask.mask(sale.iban))"
        let root = try await call(.process, body: GenesisWire.saleXML(sale), transactionID: sale.transactionID, retries: 0, logger: logger)
        return try read(root, .process, transactionID: sale.transactionID, GenesisWire.transaction(from:))
    }

    public func void(referenceUniqueID: String, transactionID: String) async throws -> GatewayTransaction {
        let body = GenesisWire.voidXML(referenceUniqueID: referenceUniqueID, transactionID: transactionID)
        let root = try await call(.process, body: body, transactionID: transactionID, retries: 0, logger: logger)
        return try read(root, .process, transactionID: transactionID, GenesisWire.transaction(from:))
    }

    public func reconcile(_ reference: TransactionReference) async throws -> GatewayTransaction? {
        let transactionID: String? = if case .transactionID(let id) = reference { id } else { nil }
        let root = try await call(
            .reconcile, body: GenesisWire.reconcileXML(reference), transactionID: transactionID, retries: configuration.readRetries, logger: logger)
        let transaction = try read(root, .reconcile, transactionID: transactionID, GenesisWire.transaction(from:))
        if transaction.status == .error && transaction.code == GenesisErrorCode.notFound { return nil }
        return transaction
    }

    public func reconcileByDate(_ range: GatewayDateRange, page: Int) async throws -> GatewayPage<GatewayTransaction> {
        let body = GenesisWire.reconcileByDateXML(range, page: page)
        let root = try await call(.reconcileByDate, body: body, transactionID: nil, retries: configuration.readRetries, logger: logger)
        if let empty: GatewayPage<GatewayTransaction> = try emptyPage(root, .reconcileByDate, page: page, perPage: 100) { return empty }
        return try read(root, .reconcileByDate, transactionID: nil, GenesisWire.transactionsPage(from:))
    }

    public func chargebacksByDate(_ range: GatewayDateRange, page: Int, perPage: Int) async throws -> GatewayPage<GatewayChargeback> {
        let body = GenesisWire.chargebacksByDateXML(range, page: page, perPage: perPage)
        let root = try await call(.chargebacksByDate, body: body, transactionID: nil, retries: configuration.readRetries, logger: logger)
        if let empty: GatewayPage<GatewayChargeback> = try emptyPage(root, .chargebacksByDate, page: page, perPage: perPage) { return empty }
        return try read(root, .chargebacksByDate, transactionID: nil, GenesisWire.chargebacksPage(from:))
    }

    // MARK: Calls

    /// POSTs `body`, retrying up to `retries` times on failures that may pass, and parses the
    /// 200 answer into a tree.
    private func call(
        _ endpoint: GenesisEndpoint, body: String, transactionID: String?, retries: Int, logger: Logger
    ) async throws -> GenesisXMLElement {
        var logger = logger
        logger[metadataKey: "gateway.endpoint"] = "\(endpoint.name)"
        if let transactionID { logger[metadataKey: "transaction_id"] = "\(transactionID)" }
        var attempt = 0
        while true {
            let clock = ContinuousClock()
            let started = clock.now
            do {
                let root = try await callOnce(endpoint, body: body, transactionID: transactionID, logger: logger)
                logger.debug("gateway call answered", metadata: [
                    "status": "\(root.value("status") ?? root.name)", "duration_ms": "\(Self.milliseconds(started.duration(to: clock.now)))",
                ])
                return root
            } catch let error as GatewayError {
                logger.debug("gateway call failed", metadata: [
                    "error": "\(error.kind)", "attempt": "\(attempt + 1)", "duration_ms": "\(Self.milliseconds(started.duration(to: clock.now)))",
                ])
                guard attempt < retries, Self.isRetryable(error.kind) else { throw error }
                try await Task.sleep(for: Self.backoff(attempt: attempt, base: configuration.retryBaseDelay))
                attempt += 1
            }
        }
    }

    private func callOnce(_ endpoint: GenesisEndpoint, body: String, transactionID: String?, logger: Logger) async throws -> GenesisXMLElement {
        let answer = try await transport.post(endpoint, body: body, transactionID: transactionID, logger: logger)
        guard answer.status == 200 else {
            throw GatewayError(
                .status(answer.status), endpoint: endpoint.name, transactionID: transactionID,
                detail: Self.gatewayMessage(answer.body) ?? "HTTP \(answer.status)")
        }
        do {
            return try GenesisXMLReader.parse(answer.body, maxBytes: configuration.maxResponseBytes)
        } catch let problem as GenesisXMLProblem {
            throw GatewayError(.malformedAnswer, endpoint: endpoint.name, transactionID: transactionID, detail: problem.reason)
        }
    }

    /// Maps a parsed answer, a wire problem becoming `.malformedAnswer`.
    private func read<T>(
        _ root: GenesisXMLElement, _ endpoint: GenesisEndpoint, transactionID: String?, _ parse: (GenesisXMLElement) throws -> T
    ) throws -> T {
        do {
            return try parse(root)
        } catch let problem as GenesisWireProblem {
            throw GatewayError(.malformedAnswer, endpoint: endpoint.name, transactionID: transactionID, detail: problem.description)
        }
    }

    /// A by-date call answered with an error `<payment_response>`: nothing found (460) is an
    /// empty last page; any other error is thrown, as there is no page to return.
    private func emptyPage<Item>(_ root: GenesisXMLElement, _ endpoint: GenesisEndpoint, page: Int, perPage: Int) throws -> GatewayPage<Item>? {
        guard root.name == "payment_response" else { return nil }
        let answer = try read(root, endpoint, transactionID: nil, GenesisWire.transaction(from:))
        if answer.status == .error && answer.code == GenesisErrorCode.notFound {
            return GatewayPage(items: [], page: page, pagesCount: page, perPage: perPage, totalCount: 0)
        }
        throw GatewayError(
            .malformedAnswer, endpoint: endpoint.name,
            detail: "gateway error \(answer.code.map(String.init) ?? "?"): \(answer.message ?? answer.status.rawValue)")
    }

    // MARK: Policy

    static func isRetryable(_ kind: GatewayError.Kind) -> Bool {
        switch kind {
        case .notSent, .noAnswer: true
        case .status(let status): status == 429 || status >= 500
        case .malformedAnswer: false
        }
    }

    /// `base · 2^attempt`, scaled by a random factor in 0.5…1 so callers do not retry in step.
    static func backoff(attempt: Int, base: Duration) -> Duration {
        base * (1 << min(attempt, 16)) * Double.random(in: 0.5...1)
    }

    /// The gateway's `code: message` from an error body, when it is one.
    private static func gatewayMessage(_ body: [UInt8]) -> String? {
        guard !body.isEmpty, let root = try? GenesisXMLReader.parse(body, maxBytes: 64 * 1024), root.name == "payment_response",
            let code = root.value("code")
        else { return nil }
        return "gateway error \(code): \(root.value("message") ?? "")"
    }

    private static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
