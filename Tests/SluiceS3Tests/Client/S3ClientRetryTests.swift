import Foundation
#if canImport(Glibc)
import Glibc
#endif
import SluiceCore
import Testing

@testable import SluiceS3

/// The S3 client against real sockets on 127.0.0.1: what a refused connection, a silent
/// server, a reset and `503 SlowDown` actually throw, and how each is retried (issue 9, defect 5).
@Suite(.serialized)
struct S3ClientRetryTests {
    static func client(port: Int, attempts: Int = 3, readTimeout: Duration = .seconds(5)) throws -> S3Client {
        let configuration = S3Configuration(
            endpoint: "http://127.0.0.1:\(port)", accessKey: "a", secretKey: "s",
            connectTimeout: .seconds(2), readTimeout: readTimeout, maxAttempts: attempts, retryBackoff: .milliseconds(10)
        )
        return try S3Client(configuration: configuration)
    }

    static let head = ["ETag": "\"abc\"", "Last-Modified": "Wed, 21 Oct 2015 07:28:00 GMT"]

    @Test func aRefusedConnectionFailsAtOnceNamingTheEndpoint() async throws {
        let closed = try ScriptedHTTPServer.closedPort()
        defer { close(closed.socket) }
        let client = try Self.client(port: closed.port, attempts: 5)
        let started = ContinuousClock.now
        let error = await #expect(throws: SluiceError.self) {
            _ = try await client.headObject(bucket: "sluice", key: "x.csv")
        }
        #expect(ContinuousClock.now - started < .seconds(2))
        #expect(error?.code == .s3)
        #expect(error?.object == "s3://sluice/x.csv")
        #expect(error?.reason == "HEAD failed: cannot reach S3 at http://127.0.0.1:\(closed.port): connection refused")
    }

    @Test func aReaderFailsAtOnceOnARefusedConnectionToo() async throws {
        let closed = try ScriptedHTTPServer.closedPort()
        defer { close(closed.socket) }
        var reader = try S3ObjectSource(bucket: "sluice", key: "x.csv", client: try Self.client(port: closed.port, attempts: 5)).reader(at: 0)
        let error = await #expect(throws: SluiceError.self) { _ = try await reader.next() }
        #expect(error?.code == .s3)
        #expect(error?.reason.contains("cannot reach S3 at http://127.0.0.1:\(closed.port): connection refused") == true)
        #expect(reader.requestCount == 1)
    }

    @Test func anUnknownHostFailsAtOnce() async throws {
        let configuration = S3Configuration(endpoint: "http://s3.sluice-test.invalid:9000", accessKey: "a", secretKey: "s", maxAttempts: 5)
        let client = try S3Client(configuration: configuration)
        let started = ContinuousClock.now
        let error = await #expect(throws: SluiceError.self) {
            _ = try await client.headObject(bucket: "sluice", key: "x.csv")
        }
        #expect(ContinuousClock.now - started < .seconds(10))
        #expect(error?.reason.contains("cannot reach S3 at http://s3.sluice-test.invalid:9000: host not found") == true, "\(String(describing: error))")
    }

    @Test func slowDownIsRetriedUntilTheObjectAnswers() async throws {
        let slowDown = "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>"
        let server = try ScriptedHTTPServer(replies: [
            .respond(status: 503, body: slowDown), .respond(status: 503, body: slowDown),
            .respond(status: 200, headers: Self.head.merging(["Content-Type": "text/csv"]) { $1 }, body: "a,b\n1,2\n"),
        ])
        defer { server.stop() }
        let client = try Self.client(port: server.port)
        var reader = try S3ObjectSource(bucket: "sluice", key: "x.csv", client: client).reader(at: 0)
        let chunk = try await reader.next()
        #expect(chunk.map { String(decoding: $0, as: UTF8.self) } == "a,b\n1,2\n")
        #expect(reader.requestCount == 3)
        #expect(server.connectionCount == 3)
    }

    @Test func aSilentServerIsRetriedThenGivenUpWithTheTimeout() async throws {
        let server = try ScriptedHTTPServer(replies: [.silent])
        defer { server.stop() }
        let client = try Self.client(port: server.port, attempts: 2, readTimeout: .milliseconds(300))
        let error = await #expect(throws: SluiceError.self) {
            _ = try await client.headObject(bucket: "sluice", key: "x.csv")
        }
        #expect(server.connectionCount == 2)
        #expect(error?.code == .s3)
        #expect(error?.reason.contains("timed out") == true, "\(String(describing: error))")
        #expect(error?.reason.contains("gave up after 2 attempts") == true, "\(String(describing: error))")
    }

    @Test func aResetConnectionIsRetried() async throws {
        let server = try ScriptedHTTPServer(replies: [.reset, .respond(status: 200, headers: Self.head.merging(["X-Length": "8"]) { $1 }, body: "")])
        defer { server.stop() }
        let client = try Self.client(port: server.port)
        try await client.deleteObject(bucket: "sluice", key: "x.csv")
        #expect(server.connectionCount == 2)
    }

    @Test func accessDeniedIsNotRetried() async throws {
        let denied = "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>"
        let server = try ScriptedHTTPServer(replies: [.respond(status: 403, body: denied)])
        defer { server.stop() }
        var reader = try S3ObjectSource(bucket: "sluice", key: "x.csv", client: try Self.client(port: server.port)).reader(at: 0)
        let error = await #expect(throws: SluiceError.self) { _ = try await reader.next() }
        #expect(error?.description.contains("AccessDenied") == true)
        #expect(server.connectionCount == 1)
    }
}
