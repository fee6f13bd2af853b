import AsyncHTTPClient
import Foundation
import NIOCore
import SluiceCore
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `sluice serve` as a real process on a real socket: health, readiness, the runs API and
/// its problem details, and a clean stop on SIGTERM. (Issue 11, first part.)
@Suite(.serialized)
struct ServeTests: ServeTesting {
    let environment: IntegrationEnvironment
    let cli: SluiceCLI

    init() throws {
        environment = try IntegrationEnvironment()
        cli = try SluiceCLI()
    }

    @Test func healthReadinessAndTheRunsAPIOverARealSocket() async throws {
        // Two runs of one pipeline to read back.
        let pipeline = try IntegrationEnvironment.pipelineFile("serve")
        var runIDs: [String] = []
        for seed in [31, 32] {
            let path = NSTemporaryDirectory() + "serve-\(UUID().uuidString.prefix(8)).csv"
            _ = try IntegrationEnvironment.generate(rows: 50, seed: seed, to: path)
            let run = try await cli.run(["run", pipeline.path, "--input", path, "--json", "--no-progress"])
            #expect(run.status == 0, "\(run.stderr)")
            let summary = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
            runIDs.append(try #require(summary?["run_id"] as? String))
        }

        let server = try await startServer()

        defer { server.running.kill() }
        let live = try await get(server.base + "/health/live")
        #expect(live.status == 200 && live.json["status"] as? String == "live")
        let ready = try await get(server.base + "/health/ready")
        #expect(ready.status == 200, "\(ready.json)")
        #expect((ready.json["checks"] as? [String: String]) == ["postgres": "ok", "s3": "ok"])

        let one = try await get(server.base + "/v1/runs/\(runIDs[0])")
        #expect(one.status == 200)
        #expect(one.json["id"] as? String == runIDs[0])
        #expect(one.json["status"] as? String == "completed")
        #expect(one.json["pipeline"] as? String == pipeline.name)
        #expect(one.json["rows_read"] as? Int == 50)
        #expect(one.json["rejections_by_reason"] is [String: Any] && one.json["rejections_by_stage"] is [String: Any])

        // Newest first, one per page, followed by cursor.
        var seen: [String] = []
        var next: String? = ""
        while let cursor = next {
            let page = try await get(server.base + "/v1/runs?pipeline=\(pipeline.name)&limit=1" + (cursor.isEmpty ? "" : "&cursor=\(cursor)"))
            #expect(page.status == 200)
            let items = page.json["items"] as? [[String: Any]] ?? []
            #expect(items.count <= 1)
            seen += items.compactMap { $0["id"] as? String }
            next = page.json["next_cursor"] as? String
            if seen.count > 5 { break }
        }
        #expect(seen == runIDs.reversed(), "both runs, newest first, each once")
        let completed = try await get(server.base + "/v1/runs?pipeline=\(pipeline.name)&status=completed")
        #expect((completed.json["items"] as? [[String: Any]])?.count == 2)

        // Errors are problem details with the right status.
        for (path, status, code) in [
            ("/v1/runs/\(UUID().uuidString.lowercased())", 404, "run_not_found"),
            ("/v1/runs/not-a-uuid", 400, "invalid_argument"),
            ("/v1/runs?status=sleeping", 400, "invalid_argument"),
            ("/v1/runs?limit=0", 400, "invalid_argument"),
            ("/v1/runs?cursor=%21%21", 400, "invalid_argument"),
            ("/v1/nothing-here", 404, "http_404"),
        ] {
            let answer = try await get(server.base + path)
            #expect(answer.status == status, "\(path)")
            #expect(answer.contentType == "application/problem+json", "\(path)")
            #expect(answer.json["code"] as? String == code, "\(path): \(answer.json)")
            #expect(answer.json["status"] as? Int == status, "\(path)")
            #expect((answer.json["type"] as? String)?.hasSuffix("/problems/\(code)") == true, "\(path)")
            #expect(answer.json["title"] is String, "\(path)")
        }

        let stopped = server.stop()
        #expect(stopped.status == 0, "SIGTERM stops the server cleanly: \(stopped.stderr)")
    }

    @Test func aRunStartedOverHTTPIsQueuedLoadedByAWorkerAndShownByTheAPI() async throws {
        // A pipelines folder with one test pipeline, and an object in the bucket.
        let folder = NSTemporaryDirectory() + "serve-pipelines-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let pipeline = try IntegrationEnvironment.pipelineFile("servejob", in: folder)
        let path = NSTemporaryDirectory() + "servejob-\(UUID().uuidString.prefix(8)).csv"
        let manifest = try IntegrationEnvironment.generate(rows: 300, seed: 33, to: path)
        let input = try await environment.upload(path, key: "it/\(UUID().uuidString)/incoming/servejob.csv")

        let server = try await startServer(pipelines: folder)

        defer { server.running.kill() }
        let key = UUID().uuidString
        let body = #"{"pipeline": "\#(pipeline.name)", "input": "\#(input)"}"#
        let (accepted, location) = try await post(server.base + "/v1/runs", json: body, headers: [("Idempotency-Key", key)])
        #expect(accepted.status == 202, "\(accepted.json)")
        let jobID = try #require(accepted.json["job_id"] as? Int)
        #expect(location == "/v1/jobs/\(jobID)")
        #expect(accepted.json["state"] as? String == "queued")
        let (again, _) = try await post(server.base + "/v1/runs", json: body, headers: [("Idempotency-Key", key)])
        #expect(again.status == 202 && again.json["job_id"] as? Int == jobID && again.json["state"] as? String == "already_queued",
                "the same Idempotency-Key answers with the first job")

        #expect(try await finalState(server, job: jobID) == "completed")
        let runs = try await get(server.base + "/v1/runs?pipeline=\(pipeline.name)")
        let items = runs.json["items"] as? [[String: Any]] ?? []
        #expect(items.count == 1, "one run for one job")
        #expect(items.first?["status"] as? String == "completed")
        #expect(items.first?["object"] as? String == input)
        #expect(items.first?["rows_read"] as? Int == manifest.rows)
        #expect(try await environment.scalar("SELECT count(*) FROM \(pipeline.table)") == Int64(items.first?["rows_accepted"] as? Int ?? -1))

        // Bad requests are problems with the right status.
        for (json, contentType, status, code) in [
            (#"{"pipeline": "nope", "input": "\#(input)"}"#, "application/json", 422, "unknown_pipeline"),
            (#"{"pipeline": "\#(pipeline.name)", "input": "/etc/passwd"}"#, "application/json", 400, "invalid_argument"),
            ("{not json", "application/json", 400, "invalid_argument"),
            (body, "text/plain", 415, "unsupported_media_type"),
            (String(repeating: " ", count: 70_000) + body, "application/json", 413, "too_large"),
        ] {
            let (answer, _) = try await post(server.base + "/v1/runs", json: json, contentType: contentType)
            #expect(answer.status == status, "\(code): \(answer.json)")
            #expect(answer.json["code"] as? String == code)
            #expect(answer.contentType == "application/problem+json")
        }
        let missing = try await get(server.base + "/v1/jobs/999999999")
        #expect(missing.status == 404 && missing.json["code"] as? String == "job_not_found")

        let stopped = server.stop()
        #expect(stopped.status == 0, "\(stopped.stderr)")
    }

    /// Go's `url.QueryEscape`, as MinIO escapes keys in notifications: a space is `+`, every
    /// byte but letters, digits and `-_.~` is `%XX` (`/` too).
    static func queryEscape(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.append(Character(UnicodeScalar(byte)))
            case UInt8(ascii: " "):
                out.append("+")
            default:
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }

    @Test func aMinIOEventStartsOneRunPerObjectVersionAndTheAPIDoesNotLoadItAgain() async throws {
        let root = "it/\(UUID().uuidString)/"
        let folder = NSTemporaryDirectory() + "serve-events-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let pipeline = try IntegrationEnvironment.pipelineFile("serveevent", in: folder, extra: """

            watch:
              - bucket: \(environment.bucket)
                prefix: "\(root)incoming/"
                glob: "*.csv"
            """)
        let path = NSTemporaryDirectory() + "serveevent-\(UUID().uuidString.prefix(8)).csv"
        let manifest = try IntegrationEnvironment.generate(rows: 200, seed: 34, to: path)
        let key = root + "incoming/März 2026 + Zusatz.csv"
        let etag = try await environment.s3Client().putObject(bucket: environment.bucket, key: key, fileAt: path)

        let token = "events-\(UUID().uuidString)"
        let server = try await startServer(pipelines: folder, environment: ["SLUICE_EVENTS_TOKEN": token])
        defer { server.running.kill() }
        let record = #"{"eventName":"s3:ObjectCreated:Put","s3":{"bucket":{"name":"\#(environment.bucket)"},"object":{"key":"\#(Self.queryEscape(key))","size":1,"eTag":"\#(etag)","sequencer":"1"}}}"#
        let ignoredRecord = #"{"eventName":"s3:ObjectCreated:Put","s3":{"bucket":{"name":"\#(environment.bucket)"},"object":{"key":"\#(Self.queryEscape(root + "incoming/readme.txt"))","size":1,"eTag":"x","sequencer":"2"}}}"#
        let event = #"{"EventName":"s3:ObjectCreated:Put","Key":"x","Records":[\#(record),\#(ignoredRecord)]}"#
        let auth = [("Authorization", "Bearer \(token)")]

        let (first, _) = try await post(server.base + "/v1/events/s3", json: event, headers: auth)
        #expect(first.status == 200, "\(first.json)")
        let queued = first.json["queued"] as? [[String: Any]] ?? []
        #expect(queued.count == 1 && queued.first?["new"] as? Bool == true && first.json["ignored"] as? Int == 1, "\(first.json)")
        #expect(queued.first?["object"] as? String == "s3://\(environment.bucket)/\(key)", "the key unescaped as MinIO escaped it")
        let jobID = try #require(queued.first?["job_id"] as? Int)
        // MinIO retries an event it thinks failed: the same version queues nothing new.
        let (again, _) = try await post(server.base + "/v1/events/s3", json: event, headers: auth)
        #expect((again.json["queued"] as? [[String: Any]])?.first?["job_id"] as? Int == jobID)
        #expect((again.json["queued"] as? [[String: Any]])?.first?["new"] as? Bool == false)

        #expect(try await finalState(server, job: jobID) == "completed")
        // The same object asked for through the API: its own job, but no second load.
        let (byAPI, _) = try await post(server.base + "/v1/runs", json: #"{"pipeline": "\#(pipeline.name)", "input": "s3://\#(environment.bucket)/\#(key)"}"#)
        let apiJob = try #require(byAPI.json["job_id"] as? Int)
        #expect(try await finalState(server, job: apiJob) == "completed", "an object already loaded completes the job")
        let runs = try await get(server.base + "/v1/runs?pipeline=\(pipeline.name)")
        #expect((runs.json["items"] as? [[String: Any]])?.count == 1, "one run for the version, whichever way it came")
        #expect(try await environment.scalar("SELECT count(*) FROM \(pipeline.table)") == Int64(manifest.rows) - manifest.expectedRejectedRows)
        #expect(try await environment.scalar("SELECT count(*) FROM sluice.objects WHERE key = '\(key.replacingOccurrences(of: "'", with: "''"))' AND arrival = 'event'") == 1)

        for (headers, status) in [([("Authorization", "Bearer wrong")], 401), ([], 401)] {
            let (answer, _) = try await post(server.base + "/v1/events/s3", json: event, headers: headers)
            #expect(answer.status == status && answer.json["code"] as? String == "unauthorized")
        }
        let (broken, _) = try await post(server.base + "/v1/events/s3", json: "{}", headers: auth)
        #expect(broken.status == 400 && broken.contentType == "application/problem+json")
        let stopped = server.stop()
        #expect(stopped.status == 0, "\(stopped.stderr)")
    }

    @Test func pollingTheBucketStartsOneRunPerObjectVersion() async throws {
        let root = "it/\(UUID().uuidString)/"
        let folder = NSTemporaryDirectory() + "serve-poll-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let pipeline = try IntegrationEnvironment.pipelineFile("servepoll", in: folder, extra: """

            watch:
              - bucket: \(environment.bucket)
                prefix: "\(root)drops/"
            """)
        let server = try await startServer(pipelines: folder, environment: ["SLUICE_WATCH_INTERVAL": "0.3", "SLUICE_EVENTS_TOKEN": "t"])
        defer { server.running.kill() }
        let client = try environment.s3Client()
        var rows = 0
        for (index, name) in ["one.csv", "two two.csv", "drei-ä.csv"].enumerated() {
            let path = NSTemporaryDirectory() + "servepoll-\(UUID().uuidString.prefix(8)).csv"
            rows += try IntegrationEnvironment.generate(rows: 100, seed: 40 + index, to: path).rows
            _ = try await client.putObject(bucket: environment.bucket, key: root + "drops/" + name, fileAt: path)
        }
        let runs = try await waitForRuns(server, pipeline: pipeline.name, count: 3)
        #expect(runs.count == 3, "\(runs.map { $0["object"] ?? "" })")
        #expect(runs.allSatisfy { $0["status"] as? String == "completed" })
        #expect(runs.reduce(0) { $0 + ($1["rows_read"] as? Int ?? 0) } == rows)
        // Several more scans find nothing new; an overwrite is a new version and a new run.
        try await Task.sleep(for: .seconds(1.5))
        #expect(try await waitForRuns(server, pipeline: pipeline.name, count: 3).count == 3, "scans again start nothing")
        let path = NSTemporaryDirectory() + "servepoll-\(UUID().uuidString.prefix(8)).csv"
        _ = try IntegrationEnvironment.generate(rows: 80, seed: 49, to: path)
        _ = try await client.putObject(bucket: environment.bucket, key: root + "drops/one.csv", fileAt: path)
        let after = try await waitForRuns(server, pipeline: pipeline.name, count: 4)
        #expect(after.count == 4)
        #expect(try await environment.scalar("SELECT count(*) FROM sluice.objects WHERE key LIKE '\(root)drops/%' AND arrival = 'poll'") == 4)
        let stopped = server.stop()
        #expect(stopped.status == 0, "\(stopped.stderr)")
    }
}
