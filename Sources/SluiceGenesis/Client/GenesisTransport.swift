import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// One POST of an XML body to a Genesis endpoint, with its failure told as a `GatewayError`.
struct GenesisTransport: Sendable {
    let configuration: GenesisConfiguration
    let httpClient: HTTPClient
    let authorization: String

    init(configuration: GenesisConfiguration, httpClient: HTTPClient) {
        self.configuration = configuration
        self.httpClient = httpClient
        let credentials = Data("\(configuration.login):\(configuration.password)".utf8).base64EncodedString()
        authorization = "Basic \(credentials)"
    }

    /// POSTs `body` once and returns the answer's status and body.
    ///
    /// A failure before the request head was written is `.notSent`; after it (a timeout, a reset,
    /// anything AsyncHTTPClient reports) `.noAnswer`, since the gateway may have acted. A body
    /// over `maxResponseBytes` is `.malformedAnswer`, and the connection is dropped at once.
    func post(_ endpoint: GenesisEndpoint, body: String, transactionID: String?, logger: Logger) async throws -> GenesisAnswerCollector.Answer {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "text/xml")
        headers.add(name: "Accept", value: "text/xml")
        headers.add(name: "User-Agent", value: "sluice")
        headers.add(name: "Authorization", value: authorization)
        let url = endpoint.url(baseURL: configuration.baseURL, terminal: configuration.terminalToken)
        let request: HTTPClient.Request
        do {
            request = try HTTPClient.Request(url: url, method: .POST, headers: headers, body: .string(body))
        } catch {
            throw GatewayError(.notSent, endpoint: endpoint.name, transactionID: transactionID, detail: "invalid gateway URL: \(error)")
        }
        let collector = GenesisAnswerCollector(limit: configuration.maxResponseBytes)
        let deadline = NIODeadline.now() + Self.timeAmount(configuration.timeout)
        let task = httpClient.execute(request: request, delegate: collector, deadline: deadline, logger: logger)
        do {
            return try await withTaskCancellationHandler {
                try await task.futureResult.get()
            } onCancel: {
                task.cancel()
            }
        } catch {
            if Task.isCancelled { throw CancellationError() }
            if let tooLarge = error as? GenesisAnswerCollector.TooLarge {
                throw GatewayError(
                    .malformedAnswer, endpoint: endpoint.name, transactionID: transactionID,
                    detail: "answer larger than \(tooLarge.limit) bytes")
            }
            let kind: GatewayError.Kind = collector.headSent ? .noAnswer : .notSent
            throw GatewayError(kind, endpoint: endpoint.name, transactionID: transactionID, detail: Self.describe(error))
        }
    }

    /// A short name for a transport failure, without request data.
    static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError { return "\(error)" }
        if let error = error as? IOError { return "I/O error: \(error.description)" }
        if let error = error as? ChannelError { return "channel error: \(error)" }
        return String(describing: error)
    }

    static func timeAmount(_ duration: Duration) -> TimeAmount {
        let (seconds, attoseconds) = duration.components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
