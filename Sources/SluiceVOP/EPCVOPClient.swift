import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import SluiceStages

/// A client for an EPC Verification of Payee responder (EPC103-24 style).
///
/// Each attempt POSTs to the configured URL:
///
/// ```
/// POST <SLUICE_VOP_URL>
/// Content-Type: application/json
/// X-Request-ID: 4f1c…-…          (a new UUID per attempt)
/// X-Request-Timestamp: 2025-10-09T08:15:30.123Z
/// Authorization: Bearer <SLUICE_VOP_API_KEY>   (when set)
///
/// {"partyAccount":{"iban":"DE89370400440532013000"},"party":{"name":"Jane Doe"}}
/// ```
///
/// and reads `{"partyNameMatch":"MTCH|CMTC|NMTC|NOAP","matchedName":"…"}` (`matchedName` with CMTC).
public struct EPCVOPClient: PayeeVerifier {
    private let http: PayeeVerifierHTTP
    private let apiKey: String?

    public init(configuration: VOPProviderConfiguration, httpClient: HTTPClient = PayeeVerifierHTTP.sharedClient, logger: Logger = Logger(label: "sluice.vop")) {
        var configuration = configuration
        configuration.provider = .epc
        self.http = PayeeVerifierHTTP(configuration: configuration, httpClient: httpClient, logger: logger)
        self.apiKey = configuration.apiKey
    }

    public func verify(_ request: PayeeVerificationRequest) async throws -> PayeeVerificationAnswer {
        let iban = request.compactIBAN
        let body = try JSONEncoder().encode(EPCVOPRequestBody(partyAccount: .init(iban: iban), party: .init(name: request.name)))
        let result = try await http.send(iban: iban, body: ByteBuffer(bytes: body), headers: headers) { bytes in
            let answer = try JSONDecoder().decode(EPCVOPResponseBody.self, from: Data(bytes.readableBytesView))
            return (try PayeeVerificationOutcome(epcCode: answer.partyNameMatch, matchedName: answer.matchedName), answer.matchedName)
        }
        let (outcome, matchedName) = result.answer
        var kept: String?
        if case .closeMatch(let name) = outcome { kept = name ?? matchedName }
        return PayeeVerificationAnswer(outcome: outcome, matchedName: kept, providerLatency: result.latency, attempts: result.attempts)
    }

    private func headers() -> HTTPHeaders {
        var headers = PayeeVerifierHTTP.baseHeaders()
        headers.add(name: "X-Request-ID", value: UUID().uuidString.lowercased())
        headers.add(name: "X-Request-Timestamp", value: Date().formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
        if let apiKey { headers.add(name: "Authorization", value: "Bearer \(apiKey)") }
        return headers
    }
}

/// The JSON an `EPCVOPClient` sends.
struct EPCVOPRequestBody: Codable {
    struct Account: Codable { var iban: String }
    struct Party: Codable { var name: String }
    var partyAccount: Account
    var party: Party
}

/// The JSON an EPC responder answers with.
struct EPCVOPResponseBody: Codable {
    var partyNameMatch: String
    var matchedName: String?
}
