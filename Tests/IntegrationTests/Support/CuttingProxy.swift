import NIOCore
import NIOPosix
import Synchronization

/// A TCP proxy on 127.0.0.1 that forwards bytes both ways and, for the first `cuts`
/// connections whose response stream reaches `cutAfterBytes`, forwards exactly that many
/// response bytes and then closes the connection: a dropped connection in the middle of a
/// response, on demand.
///
/// It knows no protocol, so it serves S3 (HTTP) and Postgres alike.
///
/// ```swift
/// let proxy = CuttingProxy(upstreamHost: "127.0.0.1", upstreamPort: 58333, cutAfterBytes: 1 << 20, cuts: 3)
/// let port = try await proxy.start()
/// defer { Task { try await proxy.stop() } }
/// ```
final class CuttingProxy: Sendable {
    let upstreamHost: String
    let upstreamPort: Int
    /// How many bytes of upstream-to-client traffic a connection forwards before it is cut.
    let cutAfterBytes: Int
    /// How many connections are cut; `Int.max` cuts every connection.
    let cuts: Int

    private struct State {
        var server: (any Channel)?
        var open: [ObjectIdentifier: any Channel] = [:]
        var connections = 0
        var cutsDone = 0
    }

    private let state = Mutex(State())
    private let group: any EventLoopGroup

    init(
        upstreamHost: String,
        upstreamPort: Int,
        cutAfterBytes: Int,
        cuts: Int,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.upstreamHost = upstreamHost
        self.upstreamPort = upstreamPort
        self.cutAfterBytes = max(0, cutAfterBytes)
        self.cuts = max(0, cuts)
        self.group = group
    }

    /// How many client connections the proxy has accepted.
    var connectionCount: Int { state.withLock { $0.connections } }

    /// How many connections the proxy has cut so far.
    var cutCount: Int { state.withLock { $0.cutsDone } }

    /// Starts listening on an ephemeral port of 127.0.0.1 and returns the port.
    func start() async throws -> Int {
        let upstreamHost = self.upstreamHost
        let upstreamPort = self.upstreamPort
        let cutAfterBytes = self.cutAfterBytes
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { client in
                self.track(client, isClient: true)
                return ClientBootstrap(group: client.eventLoop)
                    .channelOption(.socketOption(.tcp_nodelay), value: 1)
                    .connect(host: upstreamHost, port: upstreamPort)
                    .flatMapThrowing { upstream in
                        self.track(upstream, isClient: false)
                        let (clientSide, upstreamSide) = GlueHandler.matchedPair(
                            cutAfterBytes: cutAfterBytes,
                            claimCut: { self.claimCut() }
                        )
                        try client.pipeline.syncOperations.addHandler(clientSide)
                        try upstream.pipeline.syncOperations.addHandler(upstreamSide)
                    }
            }
        let server = try await bootstrap.bind(host: "127.0.0.1", port: 0).get()
        state.withLock { $0.server = server }
        guard let port = server.localAddress?.port else {
            try? await server.close()
            throw CuttingProxyError.noPort
        }
        return port
    }

    /// Stops listening and closes every open connection.
    func stop() async throws {
        let (server, open) = state.withLock { state in
            defer {
                state.server = nil
                state.open = [:]
            }
            return (state.server, Array(state.open.values))
        }
        for channel in open {
            try? await channel.close()
        }
        try await server?.close()
    }

    private func track(_ channel: any Channel, isClient: Bool) {
        let id = ObjectIdentifier(channel)
        state.withLock { state in
            state.open[id] = channel
            if isClient { state.connections += 1 }
        }
        channel.closeFuture.whenComplete { _ in
            _ = self.state.withLock { $0.open.removeValue(forKey: id) }
        }
    }

    /// Whether the connection that just reached `cutAfterBytes` is cut; counts the cut when it is.
    private func claimCut() -> Bool {
        state.withLock { state in
            guard state.cutsDone < cuts else { return false }
            state.cutsDone += 1
            return true
        }
    }
}

enum CuttingProxyError: Error {
    case noPort
}

/// One side of a proxied connection: what it reads goes out through its partner, with
/// back-pressure both ways. The upstream side may cut the connection after a byte budget.
private final class GlueHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var partner: GlueHandler?
    private var context: ChannelHandlerContext?
    private var pendingRead = false
    /// Bytes this side may still forward before a cut is considered; `nil` when it never cuts.
    private var budget: Int?
    private let claimCut: @Sendable () -> Bool
    private var isCut = false

    private init(budget: Int?, claimCut: @escaping @Sendable () -> Bool) {
        self.budget = budget
        self.claimCut = claimCut
    }

    /// The handler for the client's channel and the one for the upstream channel.
    static func matchedPair(cutAfterBytes: Int, claimCut: @escaping @Sendable () -> Bool) -> (GlueHandler, GlueHandler) {
        let clientSide = GlueHandler(budget: nil, claimCut: claimCut)
        let upstreamSide = GlueHandler(budget: cutAfterBytes, claimCut: claimCut)
        clientSide.partner = upstreamSide
        upstreamSide.partner = clientSide
        return (clientSide, upstreamSide)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        self.partner = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !isCut else { return }
        var buffer = unwrapInboundIn(data)
        if let remaining = budget {
            if buffer.readableBytes < remaining {
                budget = remaining - buffer.readableBytes
            } else if claimCut() {
                isCut = true
                let head = buffer.readSlice(length: remaining)
                partner?.cut(after: head)
                context.close(promise: nil)
                return
            } else {
                budget = nil
            }
        }
        partner?.partnerWrite(buffer)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        partner?.partnerFlush()
    }

    func channelInactive(context: ChannelHandlerContext) {
        partner?.partnerClose()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        partner?.partnerClose()
        context.close(promise: nil)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            partner?.partnerBecameWritable()
        }
    }

    func read(context: ChannelHandlerContext) {
        if let partner, partner.partnerWritable {
            context.read()
        } else {
            pendingRead = true
        }
    }

    private func partnerWrite(_ buffer: ByteBuffer) {
        context?.write(wrapOutboundOut(buffer), promise: nil)
    }

    private func partnerFlush() {
        context?.flush()
    }

    private func partnerClose() {
        context?.close(promise: nil)
    }

    /// Sends the last bytes, then closes once they are written, so the peer gets exactly the budget.
    private func cut(after head: ByteBuffer?) {
        guard let context else { return }
        let channel = context.channel
        if let head, head.readableBytes > 0 {
            context.writeAndFlush(wrapOutboundOut(head)).whenComplete { _ in
                channel.close(promise: nil)
            }
        } else {
            context.close(promise: nil)
        }
    }

    private var partnerWritable: Bool {
        context?.channel.isWritable ?? false
    }

    private func partnerBecameWritable() {
        if pendingRead {
            pendingRead = false
            context?.read()
        }
    }
}
