import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import SluiceStages

/// A client for a bank-account verification (BAV) service.
///
/// Each attempt POSTs to the configured URL:
///
/// ```
/// POST <SLUICE_VOP_URL>
/// Content-Type: application/json
/// X-API-Key: <SLUICE_VOP_API_KEY>   (when set)
///
/// {"iban":"DE89370400440532013000","name":"Jane Doe"}
/// ```
///
/// and reads `{"name_match":"yes|partial|no|unavailable"}`. BAV services do not return the
/// holder's name, so a `partial` is a close match without `matchedName`.
public struct BAVClient: PayeeVerifier {
    private let http: PayeeVerifierHTTP
    private let apiKey: String?

    public init(configuration: VOPProviderConfiguration, httpClient: HTTPClient = PayeeVerifierHTTP.sharedClient, logger: Logger = Logger(label: "sluice.vop")) {
        var configuration = configuration
        configuration.provider = .bav
        self.http = PayeeVerifierHTTP(configuration: configuration, httpClient: httpClient, logger: logger)
        self.apiKey = configuration.apiKey
    }

    public func verify(_ request: PayeeVerificationRequest) async throws -> PayeeVerificationAnswer {
        let iban = request.compactIBAN
        let body = try JSONEncoder().encode(BAVRequestBody(iban: iban, name: request.name))
        let result = try await http.send(iban: iban, body: ByteBuffer(bytes: body), headers: headers) { bytes in
            let answer = try JSONDecoder().decode(BAVResponseBody.self, from: Data(bytes.readableBytesView))
            return try PayeeVerificationOutcome(bavNameMatch: answer.nameMatch)
        }
        return PayeeVerificationAnswer(outcome: result.answer, providerLatency: result.latency, attempts: result.attempts)
    }

    private func headers() -> HTTPHeaders {
        var headers = PayeeVerifierHTTP.baseHeaders()
        if let apiKey { headers.add(name: "X-API-Key", value: apiKey) }
        return headers
    }
}

/// The JSON a `BAVClient` sends.
struct BAVRequestBody: Codable {
    var iban: String
    var name: String
}

/// The JSON a BAV service answers with.
struct BAVResponseBody: Codable {
    var nameMatch: String

    enum CodingKeys: String, CodingKey {
        case nameMatch = "name_match"
    }
}
