import Hummingbird
import Logging
import NIOCore
import Synchronization

/// A tiny HTTP server for client tests: records every request and answers with `handler`.
final class CannedGateway: Sendable {
    struct Seen: Sendable {
        var path: String
        var authorization: String?
        var contentType: String?
        var body: String
    }

    let port: Int
    private let seen = Mutex<[Seen]>([])
    /// Set when the test is over, so handlers that hang give up and the server can stop.
    let released = Mutex(false)

    private init(port: Int) { self.port = port }

    var baseURL: String { "http://127.0.0.1:\(port)" }
    var requests: [Seen] { seen.withLock { $0 } }

    fileprivate func record(_ request: Seen) -> Int {
        seen.withLock {
            $0.append(request)
            return $0.count
        }
    }

    /// Waits up to `limit` or until the test is over.
    func hang(upTo limit: Duration = .seconds(20)) async {
        let clock = ContinuousClock()
        let end = clock.now + limit
        while clock.now < end, !released.withLock({ $0 }) {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Starts a server on port 0 whose `handler` gets each request and its 1-based number.
    static func with<T: Sendable>(
        _ handler: @escaping @Sendable (Seen, Int, CannedGateway) async throws -> Response,
        _ body: (CannedGateway) async throws -> T
    ) async throws -> T {
        var logger = Logger(label: "test.genesis.canned")
        logger.logLevel = .critical
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let gateway = Mutex<CannedGateway?>(nil)
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            var request = request
            let bytes = try await request.collectBody(upTo: 1 << 20)
            let seen = Seen(
                path: request.uri.path, authorization: request.headers[.authorization], contentType: request.headers[.contentType],
                body: String(buffer: bytes))
            let server = gateway.withLock { $0 }!
            return try await handler(seen, server.record(seen), server)
        }
        let app = Application(
            responder: responder, configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            }, logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.run() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw CancellationError() }
            let server = CannedGateway(port: port)
            gateway.withLock { $0 = server }
            defer {
                server.released.withLock { $0 = true }
                group.cancelAll()
            }
            return try await body(server)
        }
    }

    static func xml(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/xml"], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
