import AsyncHTTPClient
import Foundation
import NIOCore
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// What tests of `sluice serve` share: starting a real server process on a free port and
/// talking to it over HTTP. A suite conforms with its `environment` and `cli`.
protocol ServeTesting {
    var environment: IntegrationEnvironment { get }
    var cli: SluiceCLI { get }
}

/// A started server and the base URL it listens on.
struct Server {
    let running: SluiceCLI.Running
    let base: String
    /// An admin token `startServer` made for this server with `sluice token create`; the helpers
    /// send it to URLs under `base` unless a test says otherwise (`auth:`).
    var token: String = ""

    func stop() -> SluiceCLI.Result {
        running.kill(SIGTERM)
        return running.wait()
    }
}

/// One HTTP answer, its body parsed as a JSON object when it is one.
struct Answer {
    var status: Int
    var contentType: String?
    var json: [String: Any]
    /// `WWW-Authenticate` of a 401.
    var challenge: String? = nil
}

/// What the helpers send as `Authorization`.
enum Credentials: Sendable {
    /// The admin token of the server the URL belongs to (`Server.token`), unless the request
    /// has an `Authorization` header already.
    case server
    /// No `Authorization` header.
    case none
    /// `Authorization: Bearer <token>`.
    case bearer(String)
    /// This `Authorization` header, as it is.
    case header(String)

    /// The admin tokens of the servers started so far, by base URL (a port may be used again).
    static let serverTokens = Mutex<[String: String]>([:])

    func apply(to request: inout HTTPClientRequest) {
        switch self {
        case .server:
            guard request.headers.first(name: "Authorization") == nil else { return }
            let url = request.url
            let token = Self.serverTokens.withLock { tokens in
                tokens.first { url.hasPrefix($0.key + "/") || url == $0.key }?.value
            }
            if let token { request.headers.replaceOrAdd(name: "Authorization", value: "Bearer \(token)") }
        case .none:
            request.headers.remove(name: "Authorization")
        case .bearer(let token):
            request.headers.replaceOrAdd(name: "Authorization", value: "Bearer \(token)")
        case .header(let value):
            request.headers.replaceOrAdd(name: "Authorization", value: value)
        }
    }
}

extension ServeTesting {
    func startServer(pipelines: String? = nil, environment variables: [String: String] = [:], port: Int = 0, arguments: [String] = []) async throws -> Server {
        var cli = self.cli
        // Scheduled reconciliation would reach into other tests' attempts; a test that wants it says so.
        cli.environment["SLUICE_RECONCILE_SCHEDULE"] = "false"
        cli.environment.merge(variables) { _, new in new }
        // Every API route needs a token: one admin token per server, made as an operator would.
        let token = try await createToken(role: "admin", name: IntegrationEnvironment.uniqueName("serve-test"), cli: cli)
        let running = try cli.start(["serve", "--port", String(port)] + (pipelines.map { ["--pipelines", $0] } ?? []) + arguments)
        ServerReaper.register(running.process.processIdentifier)
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let text = (try? String(contentsOfFile: running.stderrPath, encoding: .utf8)) ?? ""
            // Hummingbird's own line says "listening on 127.0.0.1:PORT" too: look for the URL.
            if let range = text.range(of: "listening on http://") {
                // A text line, or a JSON log line (the URL then ends at the closing quote).
                let url = "http://" + String(text[range.upperBound...].prefix { !$0.isNewline && $0 != "\"" })
                Credentials.serverTokens.withLock { $0[url] = token }
                return Server(running: running, base: url, token: token)
            }
            guard running.isRunning else {
                Issue.record("sluice serve exited: \(text)")
                throw CancellationError()
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        running.kill()
        Issue.record("sluice serve did not say where it listens")
        throw CancellationError()
    }

    /// Creates a token with the real `sluice token create` and returns its secret.
    func createToken(role: String, name: String, cli: SluiceCLI? = nil) async throws -> String {
        let created = try await (cli ?? self.cli).run(["token", "create", "--role", role, "--name", name], timeout: .seconds(60))
        guard created.status == 0 else {
            Issue.record("sluice token create failed: \(created.stderr)")
            throw CancellationError()
        }
        return created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func get(_ url: String, auth: Credentials = .server) async throws -> Answer {
        try await send(HTTPClientRequest(url: url), auth: auth)
    }

    func post(
        _ url: String, json: String, contentType: String = "application/json", headers: [(String, String)] = [], auth: Credentials = .server
    ) async throws -> (Answer, String?) {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: contentType)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        auth.apply(to: &request)
        request.body = .bytes(ByteBuffer(string: json))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 8 << 20)
        let object = (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:]
        let answer = Answer(
            status: Int(response.status.code), contentType: response.headers.first(name: "content-type"), json: object,
            challenge: response.headers.first(name: "www-authenticate"))
        return (answer, response.headers.first(name: "location"))
    }

    /// The job's state once it is `completed` or `dead`, or the last seen after `seconds`.
    func finalState(_ server: Server, job: Int, seconds: Int = 120) async throws -> String {
        var state = ""
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            state = try await get(server.base + "/v1/jobs/\(job)").json["state"] as? String ?? ""
            if state == "completed" || state == "dead" { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        return state
    }

    func send(_ request: HTTPClientRequest, auth: Credentials = .server) async throws -> Answer {
        var request = request
        auth.apply(to: &request)
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 8 << 20)
        let object = (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:]
        return Answer(
            status: Int(response.status.code), contentType: response.headers.first(name: "content-type"), json: object,
            challenge: response.headers.first(name: "www-authenticate"))
    }

    func waitForRuns(_ server: Server, pipeline: String, count: Int, completed: Bool = true) async throws -> [[String: Any]] {
        var items: [[String: Any]] = []
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline {
            items = try await get(server.base + "/v1/runs?pipeline=\(pipeline)").json["items"] as? [[String: Any]] ?? []
            if items.count >= count && (!completed || items.allSatisfy({ $0["status"] as? String == "completed" })) { break }
            try await Task.sleep(for: .milliseconds(250))
        }
        return items
    }

}

/// Servers a test started and did not stop (it threw first) would keep claiming jobs from the
/// shared database after the test: every server started is killed when the test process exits.
enum ServerReaper {
    private static let pids = Mutex<[Int32]?>(nil)

    static func register(_ pid: Int32) {
        pids.withLock { list in
            if list == nil {
                list = []
                atexit {
                    for pid in ServerReaper.pids.withLock({ $0 ?? [] }) { kill(pid, SIGKILL) }
                }
            }
            list?.append(pid)
        }
    }
}
