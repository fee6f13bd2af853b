import AsyncHTTPClient
import Foundation
import NIOCore
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
}

extension ServeTesting {
    func startServer(pipelines: String? = nil, environment variables: [String: String] = [:]) async throws -> Server {
        var cli = self.cli
        cli.environment.merge(variables) { _, new in new }
        let running = try cli.start(["serve", "--port", "0"] + (pipelines.map { ["--pipelines", $0] } ?? []))
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let text = (try? String(contentsOfFile: running.stderrPath, encoding: .utf8)) ?? ""
            if let range = text.range(of: "listening on ") {
                let url = text[range.upperBound...].prefix { !$0.isNewline }
                return Server(running: running, base: String(url))
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

    func get(_ url: String) async throws -> Answer {
        try await send(HTTPClientRequest(url: url))
    }

    func post(_ url: String, json: String, contentType: String = "application/json", headers: [(String, String)] = []) async throws -> (Answer, String?) {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: contentType)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(string: json))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 8 << 20)
        let object = (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:]
        let answer = Answer(status: Int(response.status.code), contentType: response.headers.first(name: "content-type"), json: object)
        return (answer, response.headers.first(name: "location"))
    }

    /// The job's state once it is `completed` or `dead`, or the last seen after two minutes.
    func finalState(_ server: Server, job: Int) async throws -> String {
        var state = ""
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline {
            state = try await get(server.base + "/v1/jobs/\(job)").json["state"] as? String ?? ""
            if state == "completed" || state == "dead" { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        return state
    }

    func send(_ request: HTTPClientRequest) async throws -> Answer {
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 8 << 20)
        let object = (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:]
        return Answer(status: Int(response.status.code), contentType: response.headers.first(name: "content-type"), json: object)
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
