import AsyncHTTPClient
import Foundation
import NIOCore
import SluiceTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Observability of `sluice serve` (issue 11): `GET /metrics` after a run started over the API,
/// JSON logs with request ids and masked IBANs, and spans exported to an OTLP collector.
@Suite(.serialized)
struct MetricsTests: ServeTesting {
    let environment: IntegrationEnvironment
    let cli: SluiceCLI

    init() throws {
        environment = try IntegrationEnvironment()
        cli = try SluiceCLI()
    }

    /// A pipelines folder with one pipeline, and a generated file uploaded under `key`.
    func prepare(
        _ prefix: String, rows: Int, seed: Int, key: String? = nil
    ) async throws -> (folder: String, pipeline: IntegrationEnvironment.PipelineFile, input: String, manifest: Manifest, path: String) {
        let folder = NSTemporaryDirectory() + "\(prefix)-pipelines-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let pipeline = try IntegrationEnvironment.pipelineFile(prefix, in: folder)
        let path = NSTemporaryDirectory() + "\(prefix)-\(UUID().uuidString.prefix(8)).csv"
        let manifest = try IntegrationEnvironment.generate(rows: rows, seed: seed, to: path)
        let input = try await environment.upload(path, key: key ?? "it/\(UUID().uuidString)/incoming/\(prefix).csv")
        return (folder, pipeline, input, manifest, path)
    }

    /// Starts a run over the API and waits for its job; returns the run as `GET /v1/runs` shows it.
    func runToCompletion(_ server: Server, pipeline: String, input: String, headers: [(String, String)] = []) async throws -> [String: Any] {
        let (accepted, _) = try await post(server.base + "/v1/runs", json: #"{"pipeline": "\#(pipeline)", "input": "\#(input)"}"#, headers: headers)
        #expect(accepted.status == 202, "\(accepted.json)")
        let jobID = try #require(accepted.json["job_id"] as? Int)
        let state = try await finalState(server, job: jobID)
        if state != "completed" {
            let job = try await get(server.base + "/v1/jobs/\(jobID)").json
            let log = (try? String(contentsOfFile: server.running.stderrPath, encoding: .utf8)) ?? ""
            Issue.record("job \(jobID) ended \(state): \(job)\n\(log.suffix(4000))")
        }
        let items = try await get(server.base + "/v1/runs?pipeline=\(pipeline)").json["items"] as? [[String: Any]] ?? []
        return try #require(items.first)
    }

    func scrape(_ server: Server) async throws -> (contentType: String?, samples: [PrometheusSample]) {
        var request = HTTPClientRequest(url: server.base + "/metrics")
        Credentials.server.apply(to: &request)
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 8 << 20)
        #expect(response.status.code == 200)
        return (response.headers.first(name: "content-type"), try PrometheusSample.parse(String(buffer: body)))
    }

    @Test func metricsCountTheRowsOfARunStartedOverHTTPAndTheQueueAndHTTPSeries() async throws {
        let (folder, pipeline, input, manifest, _) = try await prepare("metrics", rows: 400, seed: 41)
        let server = try await startServer(pipelines: folder)
        let before = try await scrape(server).samples
        let completedBefore = before.value("sluice_runs", ["status": "completed"]) ?? 0

        let run = try await runToCompletion(server, pipeline: pipeline.name, input: input)
        #expect(run["rows_read"] as? Int == manifest.rows)
        #expect((run["rows_rejected"] as? Int ?? 0) > 0, "the sample has rejected rows")

        let (contentType, samples) = try await scrape(server)
        #expect(contentType == "text/plain; version=0.0.4; charset=utf-8")
        let rows = ["pipeline": pipeline.name]
        for (outcome, field) in [("accepted", "rows_accepted"), ("rejected", "rows_rejected"), ("skipped", "rows_skipped"), ("flagged", "rows_flagged")] {
            #expect(samples.value("sluice_rows_total", rows.merging(["outcome": outcome]) { $1 }) == Double(run[field] as? Int ?? -1), "\(outcome)")
        }
        #expect(samples.value("sluice_run_rows_per_second", rows) == 0, "no run of the pipeline in progress any more")
        #expect(samples.value("sluice_runs_finished_total", rows.merging(["status": "completed"]) { $1 }) == 1)
        #expect((samples.value("sluice_runs", ["status": "completed"]) ?? 0) >= completedBefore + 1)
        #expect(samples.contains { $0.name == "sluice_runs" && $0.labels["status"] == "failed" }, "every status is listed")
        for state in ["available", "running", "completed", "retryable", "dead", "cancelled"] {
            #expect(samples.value("sluice_jobs", ["kind": "run", "state": state]) != nil, "queue depth: \(state)")
        }
        #expect(samples.value("sluice_job_oldest_ready_age_seconds", ["kind": "run"]) != nil)
        #expect(samples.value("sluice_metrics_database_up", [:]) == 1)

        // Hummingbird's request metrics, by route pattern.
        let post = ["http_route": "/v1/runs", "http_request_method": "POST", "http_response_status_code": "202"]
        #expect((samples.value("http_requests_total", post) ?? 0) >= 1)
        #expect((samples.value("http_server_request_duration_seconds_count", post) ?? 0) >= 1)
        let buckets = samples.filter { $0.name == "http_server_request_duration_seconds_bucket" && $0.labels["http_route"] == "/v1/runs" }
        #expect(buckets.contains { $0.labels["le"] == "+Inf" } && buckets.count > 5, "a latency histogram with buckets")
        #expect(samples.contains { $0.name == "http_requests_total" && ["/v1/jobs/{id}", "/v1/jobs/:id"].contains($0.labels["http_route"] ?? "") },
                "routes by pattern, not by path")

        let stopped = server.stop()
        #expect(stopped.status == 0, "\(stopped.stderr)")
    }

    @Test func payeeVerificationCallsAndTheirLatencyAreCountedPerNode() async throws {
        let folder = NSTemporaryDirectory() + "vopmetrics-pipelines-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let pipeline = try IntegrationEnvironment.pipelineFile("vopmetrics", in: folder, extra: "\nvop:\n  max_in_flight: 8\n")
        let path = NSTemporaryDirectory() + "vopmetrics-\(UUID().uuidString.prefix(8)).csv"
        _ = try IntegrationEnvironment.generate(rows: 300, seed: Int.random(in: 1_000...1_000_000_000), to: path)
        let input = try await environment.upload(path, key: "it/\(UUID().uuidString)/vopmetrics.csv")
        try await RunningSimulator.with { simulator in
            let server = try await startServer(pipelines: folder, environment: ["SLUICE_VOP_URL": simulator.epcURL, "SLUICE_VOP_PROVIDER": "epc"])
            let run = try await runToCompletion(server, pipeline: pipeline.name, input: input)
            #expect(run["status"] as? String == "completed")
            let calls = Double(simulator.simulator.stats().calls("epc"))
            #expect(calls > 100)
            let samples = try await scrape(server).samples
            let byResult = samples.filter { $0.name == "sluice_vop_calls_total" && $0.labels["provider"] == "epc" }
            #expect(byResult.reduce(0) { $0 + $1.value } == calls, "every call the simulator answered, by result")
            #expect(samples.value("sluice_vop_call_duration_seconds_count", ["provider": "epc"]) == calls, "and its latency")
            let rows = samples.filter { $0.name == "sluice_vop_rows_total" && $0.labels["provider"] == "epc" }.reduce(0) { $0 + $1.value }
            let checks = try await environment.scalar("SELECT count(*) FROM sluice.vop_checks WHERE run_id = '\(run["id"] as? String ?? "")'")
            #expect(rows == Double(checks), "rows by who answered them, one per check")
            #expect(samples.value("sluice_vop_calls_in_flight", ["provider": "epc"]) == 0)
            let stopped = server.stop()
            #expect(stopped.status == 0, "\(stopped.stderr)")
        }
    }

    @Test func serverLogsAreJSONLinesWithRequestIDsAndNodeAndNoWholeIBAN() async throws {
        // An object key holding an IBAN: it is logged as the run's object, and must come out masked.
        let iban = TestIBAN.unique()
        let (folder, pipeline, input, _, path) = try await prepare("jsonlogs", rows: 200, seed: 42, key: "it/\(UUID().uuidString)/incoming/\(iban).csv")
        let node = "it-node-\(UUID().uuidString.prefix(6))"
        let server = try await startServer(pipelines: folder, environment: ["SLUICE_NODE_ID": node])
        let requestID = "it-\(UUID().uuidString)"

        // The id comes back in the answer.
        var request = HTTPClientRequest(url: server.base + "/v1/runs?pipeline=\(pipeline.name)")
        request.headers.add(name: "X-Request-Id", value: requestID)
        Credentials.server.apply(to: &request)
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        _ = try await response.body.collect(upTo: 1 << 20)
        #expect(response.headers.first(name: "x-request-id") == requestID)
        let made = try await HTTPClient.shared.execute(HTTPClientRequest(url: server.base + "/health/live"), timeout: .seconds(30))
        #expect((made.headers.first(name: "x-request-id") ?? "").count >= 16, "one is made up when none is sent")

        let run = try await runToCompletion(server, pipeline: pipeline.name, input: input, headers: [("X-Request-Id", requestID + "-run")])
        #expect((run["rows_rejected"] as? Int ?? 0) > 0)
        let stopped = server.stop()
        #expect(stopped.status == 0)

        let lines = stopped.stderr.split(separator: "\n").filter { !$0.isEmpty }
        var objects: [[String: Any]] = []
        for line in lines {
            let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
            #expect(object != nil, "not a JSON object: \(line)")
            if let object { objects.append(object) }
        }
        #expect(objects.allSatisfy { $0["node"] as? String == node && $0["time"] is String && $0["level"] is String && $0["message"] is String })
        #expect(objects.contains { $0["request"] as? String == requestID && $0["message"] as? String == "request" && $0["status"] as? String == "200" })
        #expect(objects.contains { $0["request"] as? String == requestID + "-run" && $0["route"] as? String == "/v1/runs" })
        let runLines = objects.filter { $0["run"] as? String == run["id"] as? String }
        #expect(runLines.contains { $0["job"] is String && $0["pipeline"] as? String == pipeline.name },
                "the run's lines carry job, run and pipeline: \(runLines)")
        #expect(!stopped.stderr.contains(iban), "no whole IBAN in the log: \(lines.filter { $0.contains(iban) })")
        // Nor any IBAN of the file, valid or rejected.
        let fileIBANs = Set(try String(contentsOfFile: path, encoding: .utf8).split(whereSeparator: { $0 == "," || $0 == "\n" || $0 == "\"" })
            .map { $0.replacingOccurrences(of: " ", with: "") }.filter { $0.count >= 15 && $0.prefix(2).allSatisfy(\.isLetter) && $0.dropFirst(2).prefix(2).allSatisfy(\.isNumber) })
        #expect(fileIBANs.count > 100)
        #expect(fileIBANs.allSatisfy { !stopped.stderr.contains($0) })
        #expect(stopped.stderr.contains(String(iban.prefix(4)) + String(repeating: "*", count: iban.count - 8) + String(iban.suffix(4))))
    }

    @Test func spansOfTheRequestTheRunAndItsBatchesReachAnOTLPCollector() async throws {
        let collector = try await TraceCollector.start()
        let (folder, pipeline, input, _, _) = try await prepare("traces", rows: 300, seed: 43)
        let server = try await startServer(pipelines: folder, environment: [
            "OTEL_EXPORTER_OTLP_ENDPOINT": collector.endpoint, "OTEL_EXPORTER_OTLP_PROTOCOL": "http/json", "OTEL_BSP_SCHEDULE_DELAY": "200",
        ])
        let run = try await runToCompletion(server, pipeline: pipeline.name, input: input)
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline, !collector.spans.contains(where: { $0.name == "run" }) {
            try await Task.sleep(for: .milliseconds(200))
        }
        let stopped = server.stop()
        #expect(stopped.status == 0, "\(stopped.stderr)")
        try await collector.stop()

        let spans = collector.spans
        #expect(collector.paths.allSatisfy { $0 == "/v1/traces" }, "\(collector.paths)")
        let request = spans.first { $0.name == "/v1/runs" && $0.attributes["http.request.method"] == "POST" }
        #expect(request != nil, "the request's span: \(spans.map(\.name))")
        let runSpan = try #require(spans.first { $0.name == "run" && $0.attributes["sluice.pipeline"] == pipeline.name })
        #expect(runSpan.attributes["sluice.run_id"] == run["id"] as? String)
        #expect(runSpan.attributes["sluice.object"] == input)
        let batches = spans.filter { $0.name == "batch" && $0.traceID == runSpan.traceID }
        #expect(batches.count == run["batches"] as? Int, "one span per committed batch, in the run's trace")
        #expect(batches.allSatisfy { $0.attributes["sluice.batch.sequence"] != nil && $0.attributes["sluice.batch.rows"] != nil })
    }

    @Test func withoutAnEndpointNothingIsExported() async throws {
        // Off by default: the server says nothing about tracing and starts as always.
        let server = try await startServer()
        let stopped = server.stop()
        #expect(stopped.status == 0)
        #expect(!stopped.stderr.contains("tracing"), "\(stopped.stderr)")
    }
}

/// One sample of the Prometheus text exposition format (0.0.4), from a strict little parser:
/// every line is a `# HELP`, a `# TYPE`, or `name{label="value",…} value`, or the parse fails.
struct PrometheusSample: Equatable {
    var name: String
    var labels: [String: String]
    var value: Double

    struct ParseError: Error, CustomStringConvertible {
        var line: String
        var description: String { "not Prometheus text: \(line)" }
    }

    static func parse(_ text: String) throws -> [PrometheusSample] {
        var samples: [PrometheusSample] = []
        var typed: [String: String] = [:]
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.hasPrefix("#") {
                let parts = line.split(separator: " ", maxSplits: 3)
                guard parts.count >= 3, parts[0] == "#", ["HELP", "TYPE"].contains(parts[1]), isName(parts[2]) else { throw ParseError(line: String(line)) }
                if parts[1] == "TYPE" {
                    guard parts.count == 4, ["counter", "gauge", "histogram", "summary", "untyped"].contains(parts[3]) else { throw ParseError(line: String(line)) }
                    typed[String(parts[2])] = String(parts[3])
                }
                continue
            }
            var rest = Substring(line)
            let name = rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == ":" }
            guard isName(name) else { throw ParseError(line: String(line)) }
            rest = rest.dropFirst(name.count)
            var labels: [String: String] = [:]
            if rest.first == "{" {
                rest = rest.dropFirst()
                while rest.first != "}" {
                    let key = rest.prefix { $0 != "=" }
                    guard isName(key), !key.contains(":") else { throw ParseError(line: String(line)) }
                    rest = rest.dropFirst(key.count)
                    guard rest.hasPrefix("=\"") else { throw ParseError(line: String(line)) }
                    rest = rest.dropFirst(2)
                    var value = ""
                    while let character = rest.first, character != "\"" {
                        rest = rest.dropFirst()
                        if character == "\\" {
                            guard let escaped = rest.first else { throw ParseError(line: String(line)) }
                            rest = rest.dropFirst()
                            switch escaped {
                            case "n": value.append("\n")
                            case "\\", "\"": value.append(escaped)
                            default: throw ParseError(line: String(line))
                            }
                        } else {
                            value.append(character)
                        }
                    }
                    guard rest.first == "\"" else { throw ParseError(line: String(line)) }
                    rest = rest.dropFirst()
                    labels[String(key)] = value
                    if rest.first == "," { rest = rest.dropFirst() } else if rest.first != "}" { throw ParseError(line: String(line)) }
                }
                rest = rest.dropFirst()
            }
            guard rest.first == " " else { throw ParseError(line: String(line)) }
            let fields = rest.dropFirst().split(separator: " ")
            guard (1...2).contains(fields.count), let value = parseValue(fields[0]) else { throw ParseError(line: String(line)) }
            // A sample belongs to a family its TYPE line announced (histograms: _bucket, _sum, _count).
            let family = ["_bucket", "_sum", "_count"].first { name.hasSuffix($0) && typed[String(name.dropLast($0.count))] == "histogram" }
                .map { String(name.dropLast($0.count)) } ?? String(name)
            guard typed[family] != nil else { throw ParseError(line: String(line)) }
            samples.append(PrometheusSample(name: String(name), labels: labels, value: value))
        }
        return samples
    }

    static func isName(_ text: some StringProtocol) -> Bool {
        guard let first = text.unicodeScalars.first, first == "_" || first == ":" || (first.isASCII && first.properties.isAlphabetic) else { return false }
        return text.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == ":") }
    }

    static func parseValue(_ text: Substring) -> Double? {
        switch text {
        case "+Inf": return .infinity
        case "-Inf": return -.infinity
        case "NaN": return .nan
        default: return Double(text)
        }
    }
}

extension [PrometheusSample] {
    /// The value of the one sample with exactly these labels, or `nil`.
    func value(_ name: String, _ labels: [String: String]) -> Double? {
        first { $0.name == name && $0.labels == labels }?.value
    }
}
