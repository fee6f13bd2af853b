import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An HTTP server on 127.0.0.1 for client tests, on plain sockets and one thread: each
/// connection gets the next scripted reply (the last one repeats).
///
/// ```swift
/// let server = try ScriptedHTTPServer(replies: [.respond(status: 503, body: "…"), .respond(status: 200)])
/// defer { server.stop() }
/// ```
final class ScriptedHTTPServer: @unchecked Sendable {
    enum Reply: Sendable {
        /// Read the request, answer it and close.
        case respond(status: Int, headers: [String: String] = [:], body: String = "")
        /// Accept and read the request, never answer.
        case silent
        /// Read the request and reset the connection (RST).
        case reset
    }

    let port: Int
    private let listener: Int32
    private let replies: [Reply]
    private let lock = NSLock()
    private var accepted = 0
    private var held: [Int32] = []

    init(replies: [Reply]) throws {
        self.replies = replies
        (listener, port) = try Self.bind(listen: true)
        let thread = Thread { [self] in self.serve() }
        thread.start()
    }

    /// How many connections the server has accepted.
    var connectionCount: Int { lock.withLock { accepted } }

    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        lock.withLock {
            for socket in held { close(socket) }
            held = []
        }
    }

    /// A port on 127.0.0.1 that refuses connections: bound, never listening. Keep the socket
    /// open while the port is in use (so no one else takes it) and close it after.
    static func closedPort() throws -> (socket: Int32, port: Int) {
        try bind(listen: false)
    }

    private static func bind(listen: Bool) throws -> (Int32, Int) {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, !listen || Glibc.listen(socket, 16) == 0 else {
            close(socket)
            throw POSIXError(.EADDRINUSE)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
        }
        return (socket, Int(UInt16(bigEndian: address.sin_port)))
    }

    private func serve() {
        while true {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { return }
            let reply: Reply = lock.withLock {
                accepted += 1
                return replies[min(accepted, replies.count) - 1]
            }
            readRequest(connection)
            switch reply {
            case .respond(let status, let headers, let body):
                var head = "HTTP/1.1 \(status) Scripted\r\nConnection: close\r\nContent-Length: \(body.utf8.count)\r\n"
                for (name, value) in headers.sorted(by: { $0.key < $1.key }) { head += "\(name): \(value)\r\n" }
                let bytes = Array((head + "\r\n" + body).utf8)
                _ = bytes.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                close(connection)
            case .silent:
                lock.withLock { held.append(connection) }
            case .reset:
                var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
                setsockopt(connection, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
                close(connection)
            }
        }
    }

    /// Reads up to the end of the request head (the tests send no bodies).
    private func readRequest(_ connection: Int32) {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !received.suffix(4).elementsEqual([13, 10, 13, 10]) {
            let count = buffer.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return }
            received.append(contentsOf: buffer.prefix(count))
        }
    }
}
