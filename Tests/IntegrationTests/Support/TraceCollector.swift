import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A tiny OTLP/HTTP collector on a free loopback port: it answers every POST with `{}` and
/// keeps the spans of JSON bodies (`OTEL_EXPORTER_OTLP_PROTOCOL=http/json`), so a test can
/// see what a server exported.
final class TraceCollector: Sendable {
    /// One exported span, as far as tests look at it.
    struct ExportedSpan: Sendable {
        var name: String
        var traceID: String
        var attributes: [String: String]
    }

    private let received = Mutex<(paths: [String], spans: [ExportedSpan])>(([], []))
    private let channel: any Channel
    let port: Int

    var endpoint: String { "http://127.0.0.1:\(port)" }
    var spans: [ExportedSpan] { received.withLock { $0.spans } }
    var paths: [String] { received.withLock { $0.paths } }

    private init(channel: any Channel, port: Int) {
        self.channel = channel
        self.port = port
    }

    static func start() async throws -> TraceCollector {
        let box = Box()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(Handler(box: box))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let collector = TraceCollector(channel: channel, port: channel.localAddress?.port ?? 0)
        box.collector.withLock { $0 = collector }
        return collector
    }

    func stop() async throws {
        try await channel.close()
    }

    fileprivate func record(path: String, body: [UInt8]) {
        let found = (try? JSONSerialization.jsonObject(with: Data(body))).map(Self.spans(in:)) ?? []
        received.withLock { state in
            state.paths.append(path)
            state.spans += found
        }
    }

    /// `resourceSpans[].scopeSpans[].spans[]` of an OTLP JSON export.
    static func spans(in document: Any) -> [ExportedSpan] {
        guard let root = document as? [String: Any] else { return [] }
        var spans: [ExportedSpan] = []
        for resource in root["resourceSpans"] as? [[String: Any]] ?? [] {
            for scope in resource["scopeSpans"] as? [[String: Any]] ?? [] {
                for span in scope["spans"] as? [[String: Any]] ?? [] {
                    var attributes: [String: String] = [:]
                    for attribute in span["attributes"] as? [[String: Any]] ?? [] {
                        guard let key = attribute["key"] as? String, let value = attribute["value"] as? [String: Any],
                              let first = value.values.first else { continue }
                        attributes[key] = "\(first)"
                    }
                    spans.append(ExportedSpan(name: span["name"] as? String ?? "", traceID: span["traceId"] as? String ?? "", attributes: attributes))
                }
            }
        }
        return spans
    }

    /// Lets the channel handlers reach the collector made after the bind.
    private final class Box: Sendable {
        let collector = Mutex<TraceCollector?>(nil)
    }

    private final class Handler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        let box: Box
        var path = ""
        var body: [UInt8] = []

        init(box: Box) {
            self.box = box
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                path = head.uri
                body = []
            case .body(var buffer):
                body += buffer.readBytes(length: buffer.readableBytes) ?? []
            case .end:
                box.collector.withLock { $0 }?.record(path: path, body: body)
                let answer = ByteBuffer(string: "{}")
                var headers = HTTPHeaders()
                headers.add(name: "Content-Type", value: "application/json")
                headers.add(name: "Content-Length", value: "\(answer.readableBytes)")
                context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
                context.write(wrapOutboundOut(.body(.byteBuffer(answer))), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            }
        }
    }
}
