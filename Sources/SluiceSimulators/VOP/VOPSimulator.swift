import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import SluiceCore
import SluiceValidation

/// A payee-verification provider for tests and demos: a real HTTP server that answers the EPC
/// VOP and the BAV API deterministically, and misbehaves on request.
///
/// | route | what |
/// |---|---|
/// | `POST /epc/v1/payee-verifications` | EPC VOP: `{"partyAccount":{"iban":…},"party":{"name":…}}` with `X-Request-ID` and `X-Request-Timestamp` → `{"partyNameMatch":"MTCH|CMTC|NMTC|NOAP","matchedName":…}` |
/// | `POST /bav/v1/verify` | BAV: `{"iban":…,"name":…}` → `{"name_match":"yes|partial|no|unavailable"}` |
/// | `GET /_sim/holder?iban=` | the holder the simulator knows for an IBAN: `{"iban","name","accountType"}`, 404 if none |
/// | `GET /_sim/stats` | `VOPSimulatorStats`: calls, answers, faults, concurrency, timestamps, recent requests |
/// | `GET`/`POST /_sim/config` | the fault settings; POST a partial `VOPFaultConfiguration` (plus `seed`) |
/// | `POST /_sim/reset` | zero the counters and restart the generator from its seed |
///
/// The holder's name is compared with `PayeeNameMatcher` for the holder's account type: a match
/// is MTCH / yes, a close match CMTC (with the holder's name as `matchedName`) / partial, no
/// match NMTC / no; an unknown account NOAP / unavailable. A missing `X-Request-ID` or
/// `X-Request-Timestamp`, or a body that is not the API's JSON, is 400; a wrong key (when
/// `apiKey` is set) is 401. Neither consumes a scripted fault.
///
/// ```swift
/// let simulator = VOPSimulator(configuration: .init(port: 0)) { port in print("listening on \(port)") }
/// try await simulator.run()
/// ```
public struct VOPSimulator: Service, SimulatorControl {
    /// Paths of the two APIs.
    public static let epcPath = "/epc/v1/payee-verifications"
    public static let bavPath = "/bav/v1/verify"

    public let configuration: VOPSimulatorConfiguration
    private let state: VOPSimulatorState
    private let matcher: PayeeNameMatcher
    private let logger: Logger
    private let onListening: @Sendable (Int) -> Void

    /// - Parameter onListening: called with the bound port once the server accepts connections.
    public init(
        configuration: VOPSimulatorConfiguration = VOPSimulatorConfiguration(),
        logger: Logger = Logger(label: "sluice.simulator.vop"),
        onListening: @escaping @Sendable (Int) -> Void = { _ in }
    ) {
        self.configuration = configuration
        self.state = VOPSimulatorState(faults: configuration.faults, seed: configuration.seed, recordLimit: configuration.recordLimit)
        self.matcher = PayeeNameMatcher(thresholds: configuration.thresholds)
        self.logger = logger
        self.onListening = onListening
    }

    /// Serves until the task is cancelled or a graceful shutdown is asked for. On a graceful
    /// shutdown, calls waiting out their latency or a timeout fault end at once (with a 500),
    /// so a simulator set to hang still stops promptly.
    public func run() async throws {
        let server = SimulatorServer(
            router: router(), host: configuration.host, port: configuration.port, serverName: "sluice-vop-simulator", logger: logger,
            onListening: onListening)
        try await server.run()
    }

    /// What the simulator has seen so far.
    public func stats() -> VOPSimulatorStats { state.stats() }

    /// The fault settings now.
    public var faults: VOPFaultConfiguration { state.faults }

    /// Changes the fault settings, as `POST /_sim/config` does.
    @discardableResult
    public func update(_ patch: VOPFaultConfiguration.Patch) -> VOPFaultConfiguration { state.update(patch) }

    /// Zeroes the counters, as `POST /_sim/reset` does.
    public func reset() { state.reset() }

    /// The holder the simulator knows for `iban`, as `GET /_sim/holder` tells it.
    public func holder(for iban: String) -> AccountHolder? { configuration.holders.holder(for: iban) }

    // MARK: Routes

    func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.post(RouterPath(Self.epcPath)) { request, _ in try await epc(request) }
        router.post(RouterPath(Self.bavPath)) { request, _ in try await bav(request) }
        router.get("/_sim/holder") { request, _ -> Response in
            guard let iban = request.uri.queryParameters["iban"].map(String.init), !iban.isEmpty else {
                return Response.json(ErrorBody(error: "query parameter iban is required"), status: .badRequest)
            }
            guard let holder = holder(for: iban) else {
                return Response.json(ErrorBody(error: "unknown account"), status: .notFound)
            }
            return Response.json(HolderBody(iban: AccountHolders.compact(iban), name: holder.name, accountType: holder.accountType.rawValue))
        }
        router.addSimulatorControl(self)
        return router
    }

    private func epc(_ request: Request) async throws -> Response {
        var request = request
        let body = try await request.collectBody(upTo: 64 * 1024)
        let parsed = try? JSONDecoder().decode(EPCRequest.self, from: Data(body.readableBytesView))
        let requestID = request.headers[Self.requestIDHeader]
        let timestamp = request.headers[Self.requestTimestampHeader]
        let authorization = request.headers[.authorization]
        var refusal: String?
        if let key = configuration.apiKey, authorization != "Bearer \(key)" {
            refusal = "unauthorized"
        } else if parsed == nil || requestID?.isEmpty != false || timestamp?.isEmpty != false {
            refusal = "badRequest"
        }
        let record = VOPSimulatorStats.RecordedRequest(
            sequence: 0, api: "epc", at: 0, requestID: requestID, requestTimestamp: timestamp, authorization: authorization,
            apiKey: request.headers[Self.apiKeyHeader], iban: parsed.map { IBANMask.mask($0.iban) }, fault: nil, status: 0, answer: nil)
        return try await answer(api: "epc", record: record, refusal: refusal) {
            let parsed = parsed!
            guard let holder = holder(for: parsed.iban) else { return (Response.json(EPCAnswer(partyNameMatch: "NOAP")), "NOAP") }
            let match = matcher.match(parsed.name, holder.name, accountType: holder.accountType)
            let code = match.epcCode
            return (Response.json(EPCAnswer(partyNameMatch: code, matchedName: code == "CMTC" ? holder.name : nil)), code)
        }
    }

    private func bav(_ request: Request) async throws -> Response {
        var request = request
        let body = try await request.collectBody(upTo: 64 * 1024)
        let parsed = try? JSONDecoder().decode(BAVRequest.self, from: Data(body.readableBytesView))
        let apiKey = request.headers[Self.apiKeyHeader]
        var refusal: String?
        if let key = configuration.apiKey, apiKey != key {
            refusal = "unauthorized"
        } else if parsed == nil {
            refusal = "badRequest"
        }
        let record = VOPSimulatorStats.RecordedRequest(
            sequence: 0, api: "bav", at: 0, requestID: request.headers[Self.requestIDHeader], requestTimestamp: request.headers[Self.requestTimestampHeader],
            authorization: request.headers[.authorization], apiKey: apiKey, iban: parsed.map { IBANMask.mask($0.iban) }, fault: nil, status: 0, answer: nil)
        return try await answer(api: "bav", record: record, refusal: refusal) {
            let parsed = parsed!
            let answer: String
            if let holder = holder(for: parsed.iban) {
                switch matcher.match(parsed.name, holder.name, accountType: holder.accountType) {
                case .match: answer = "yes"
                case .closeMatch: answer = "partial"
                case .noMatch: answer = "no"
                }
            } else {
                answer = "unavailable"
            }
            return (Response.json(BAVAnswer(nameMatch: answer)), answer)
        }
    }

    /// Counts the call, waits the latency, then refuses it, injects its fault or answers it.
    private func answer(
        api: String, record: VOPSimulatorStats.RecordedRequest, refusal: String?, match: () -> (Response, String)
    ) async throws -> Response {
        let plan = state.begin(api: api, request: record, refusal: refusal)
        var status = 0
        var answer: String?
        defer { state.end(api: api, sequence: plan.sequence, status: status, answer: answer) }
        if plan.latency > .zero { try await SimulatorServer.pause(plan.latency) }
        var response: Response
        switch (refusal, plan.fault) {
        case ("unauthorized", _):
            response = Response.json(ErrorBody(error: "missing or wrong API key"), status: .unauthorized)
        case (.some, _):
            response = Response.json(ErrorBody(error: "invalid request: expected the API's JSON body and headers"), status: .badRequest)
        case (nil, .error):
            response = Response.json(ErrorBody(error: "injected error"), status: HTTPResponse.Status(code: plan.errorStatus))
        case (nil, .timeout):
            try await SimulatorServer.pause(plan.timeout)
            response = Response.json(ErrorBody(error: "injected timeout"), status: .gatewayTimeout)
        case (nil, .rateLimit):
            var headers = HTTPFields()
            if plan.retryAfterSeconds > 0 { headers[.retryAfter] = String(plan.retryAfterSeconds) }
            response = Response.json(ErrorBody(error: "injected rate limit"), status: .tooManyRequests, headers: headers)
        case (nil, nil):
            (response, answer) = match()
        }
        status = response.status.code
        return response
    }

    static let requestIDHeader = HTTPField.Name("X-Request-ID")!
    static let requestTimestampHeader = HTTPField.Name("X-Request-Timestamp")!
    static let apiKeyHeader = HTTPField.Name("X-API-Key")!
}

/// The EPC request body; `partyAccount` may also be the IBAN as a plain string.
struct EPCRequest: Decodable {
    var iban: String
    var name: String

    enum CodingKeys: String, CodingKey { case partyAccount, party }
    enum AccountKeys: String, CodingKey { case iban }
    enum PartyKeys: String, CodingKey { case name }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let iban = try? container.decode(String.self, forKey: .partyAccount) {
            self.iban = iban
        } else {
            self.iban = try container.nestedContainer(keyedBy: AccountKeys.self, forKey: .partyAccount).decode(String.self, forKey: .iban)
        }
        name = try container.nestedContainer(keyedBy: PartyKeys.self, forKey: .party).decode(String.self, forKey: .name)
    }
}

struct EPCAnswer: Encodable {
    var partyNameMatch: String
    var matchedName: String?
}

struct BAVRequest: Decodable {
    var iban: String
    var name: String
}

struct BAVAnswer: Encodable {
    var nameMatch: String
    enum CodingKeys: String, CodingKey { case nameMatch = "name_match" }
}

struct HolderBody: Encodable {
    var iban: String
    var name: String
    var accountType: String
}

struct ErrorBody: Encodable {
    var error: String
}
