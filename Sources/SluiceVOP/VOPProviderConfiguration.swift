import AsyncHTTPClient
import Foundation
import Logging
import SluiceCore
import SluiceStages

/// Which payee-verification provider to call, where, with which credential, and how patiently.
///
/// Secrets come from the environment only (`fromEnvironment`), never from pipeline files.
///
/// | variable | meaning | default |
/// |---|---|---|
/// | `SLUICE_VOP_PROVIDER` | `epc` or `bav` | `epc` |
/// | `SLUICE_VOP_URL` | the provider's verification endpoint (full URL, POSTed to) | none: VOP is off |
/// | `SLUICE_VOP_API_KEY` | EPC: bearer token; BAV: `X-API-Key` | none |
/// | `SLUICE_VOP_TIMEOUT` | seconds per call, more than 0 and at most 5 | 5 |
/// | `SLUICE_VOP_MAX_ATTEMPTS` | calls per payee, the first included | 3 |
public struct VOPProviderConfiguration: Sendable {
    /// The longest timeout per call: EPC VOP responders must answer within 5 s.
    public static let maximumTimeout = Duration.seconds(5)

    public var provider: VOPProvider
    /// The endpoint requests are POSTed to, e.g. `https://vop.example/v1/payee-verifications`.
    public var url: String
    /// EPC: sent as `Authorization: Bearer <key>`; BAV: as `X-API-Key: <key>`. Not printed by `description`.
    public var apiKey: String?
    /// The time one call may take, from connecting to the last byte of the answer; at most 5 s.
    public var timeout: Duration
    /// When to call again after a failed call.
    public var retryPolicy: ProviderRetryPolicy

    /// - Parameter timeout: cut to 1 ms … 5 s.
    public init(
        provider: VOPProvider = .epc,
        url: String,
        apiKey: String? = nil,
        timeout: Duration = .seconds(5),
        retryPolicy: ProviderRetryPolicy = ProviderRetryPolicy()
    ) {
        self.provider = provider
        self.url = url
        self.apiKey = apiKey
        self.timeout = min(max(timeout, .milliseconds(1)), Self.maximumTimeout)
        self.retryPolicy = retryPolicy
    }

    /// Reads the `SLUICE_VOP_*` variables.
    ///
    /// - Returns: `nil` when `SLUICE_VOP_URL` is not set (no provider configured).
    /// - Throws: `SluiceError` with code `.invalidArgument` for an unknown provider, a URL that
    ///   is not http(s), or a timeout that is not a number of seconds in (0, 5].
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> VOPProviderConfiguration? {
        guard let url = environment["SLUICE_VOP_URL"], !url.isEmpty else { return nil }
        let providerText = (environment["SLUICE_VOP_PROVIDER"] ?? "epc").lowercased()
        guard let provider = VOPProvider(rawValue: providerText) else {
            throw SluiceError(.invalidArgument, "SLUICE_VOP_PROVIDER must be epc or bav, found '\(providerText)'")
        }
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", components.host?.isEmpty == false
        else {
            throw SluiceError(.invalidArgument, "SLUICE_VOP_URL must be an http(s) URL, found '\(url)'")
        }
        let timeoutText = environment["SLUICE_VOP_TIMEOUT"] ?? "5"
        guard let seconds = Double(timeoutText), seconds > 0, seconds <= 5 else {
            throw SluiceError(.invalidArgument, "SLUICE_VOP_TIMEOUT must be a number of seconds above 0 and at most 5, found '\(timeoutText)'")
        }
        var retryPolicy = ProviderRetryPolicy()
        if let attemptsText = environment["SLUICE_VOP_MAX_ATTEMPTS"] {
            guard let attempts = Int(attemptsText), (1...10).contains(attempts) else {
                throw SluiceError(.invalidArgument, "SLUICE_VOP_MAX_ATTEMPTS must be 1 to 10, found '\(attemptsText)'")
            }
            retryPolicy.maxAttempts = attempts
        }
        let apiKey = environment["SLUICE_VOP_API_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        return VOPProviderConfiguration(
            provider: provider, url: url, apiKey: apiKey, timeout: .milliseconds(Int64((seconds * 1000).rounded())), retryPolicy: retryPolicy)
    }

    /// The client for `provider`.
    ///
    /// - Parameter httpClient: by default `PayeeVerifierHTTP.sharedClient`, which lives as long as the process.
    public func makeVerifier(httpClient: HTTPClient = PayeeVerifierHTTP.sharedClient, logger: Logger = Logger(label: "sluice.vop")) -> any PayeeVerifier {
        switch provider {
        case .epc: EPCVOPClient(configuration: self, httpClient: httpClient, logger: logger)
        case .bav: BAVClient(configuration: self, httpClient: httpClient, logger: logger)
        }
    }
}

extension VOPProviderConfiguration: CustomStringConvertible {
    /// The settings without the API key.
    public var description: String {
        "\(provider.rawValue) \(url) timeout \(timeout) attempts \(retryPolicy.maxAttempts) key \(apiKey == nil ? "unset" : "set")"
    }
}
