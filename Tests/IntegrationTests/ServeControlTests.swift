import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SluiceS3
import SluiceTestSupport
import Testing

/// The operator's routes of `sluice serve` over a real socket: uploads that start runs, run
/// reports downloaded over HTTP, cancel and resume, pipelines and the blacklist. (Issue 11.)
@Suite(.serialized)
struct ServeControlTests: ServeTesting {
    let environment: IntegrationEnvironment
    let cli: SluiceCLI

    init() throws {
        environment = try IntegrationEnvironment()
        cli = try SluiceCLI()
    }

    /// A whole answer: status, headers and the body's bytes.
    struct Download {
        var status: Int
        var headers: HTTPHeaders
        var bytes: [UInt8]
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] ?? [:] }
        var text: String { String(decoding: bytes, as: UTF8.self) }
    }

    func fetch(_ server: Server, _ path: String, method: HTTPMethod = .GET, body: HTTPClientRequest.Body? = nil,
               contentType: String? = nil) async throws -> Download {
        var request = HTTPClientRequest(url: server.base + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(server.token)")
        if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
        request.body = body
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(120))
        let collected = try await response.body.collect(upTo: 256 << 20)
        return Download(status: Int(response.status.code), headers: response.headers, bytes: Array(buffer: collected))
    }

    /// The body as several chunks with no Content-Length, as a client streaming a file sends it.
    static func chunked(_ bytes: [UInt8], chunk: Int = 1 << 20) -> HTTPClientRequest.Body {
        let parts = stride(from: 0, to: bytes.count, by: chunk).map { ByteBuffer(bytes: bytes[$0 ..< min($0 + chunk, bytes.count)]) }
        return .stream(parts.async, length: .unknown)
    }

    func pipelinesFolder(_ name: String) throws -> String {
        let folder = NSTemporaryDirectory() + "\(name)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }

    func waitForRun(_ server: Server, _ runID: String, until done: ([String: Any]) -> Bool) async throws -> [String: Any] {
        var run: [String: Any] = [:]
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline {
            run = try await get(server.base + "/v1/runs/\(runID)").json
            if done(run) { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        return run
    }

    @Test func anUploadStartsARunWhoseSummaryAndReportsDownloadOverHTTP() async throws {
        let folder = try pipelinesFolder("serve-upload")
        let pipeline = try IntegrationEnvironment.pipelineFile("upload", in: folder)
        let path = NSTemporaryDirectory() + "upload-\(UUID().uuidString.prefix(8)).csv"
        // About 6 MB: more than one 5 MiB part, so it goes up as a multipart upload.
        let manifest = try IntegrationEnvironment.generate(rows: 40_000, seed: 51, to: path)
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(bytes.count > 5 << 20)
        let server = try await startServer(pipelines: folder, environment: [
            "SLUICE_UPLOAD_PART_BYTES": String(5 << 20), "SLUICE_UPLOAD_MAX_BYTES": String(64 << 20), "SLUICE_WATCH_INTERVAL": "0",
        ])

        let uploaded = try await fetch(server, "/v1/uploads?pipeline=\(pipeline.name)&filename=D%C3%A9biteurs%20mars.csv", method: .POST,
                                       body: Self.chunked(bytes), contentType: "text/csv")
        #expect(uploaded.status == 202, "\(uploaded.text)")
        let answer = uploaded.json
        let runID = try #require(answer["run_id"] as? String)
        #expect(uploaded.headers.first(name: "location") == "/v1/runs/\(runID)")
        #expect(answer["size"] as? Int == bytes.count)
        #expect(answer["parts"] as? Int == 2, "6 MB in 5 MiB parts: a multipart upload of two parts")
        let object = try #require(answer["object"] as? String)
        #expect(object.hasPrefix("s3://\(environment.bucket)/uploads/\(pipeline.name)/") && object.hasSuffix("-Débiteurs_mars.csv"), "\(object)")
        // The object in the bucket is the body, byte for byte.
        let url = try S3URL(parsing: object)
        let head = try await environment.s3Client().headObject(bucket: url.bucket, key: url.key)
        #expect(head.size == Int64(bytes.count) && head.etag == answer["etag"] as? String)

        let run = try await waitForRun(server, runID) { $0["status"] as? String == "completed" }
        #expect(run["status"] as? String == "completed", "\(run)")
        #expect(run["object"] as? String == object)
        #expect(run["rows_read"] as? Int == manifest.rows)
        #expect(run["rows_rejected"] as? Int == Int(manifest.expectedRejectedRows))

        #expect((run["rows_per_second"] as? Double ?? 0) > 0, "\(run)")
        let future = try await fetch(server, "/v1/runs?pipeline=\(pipeline.name)&since=2999-01-01T00:00:00Z")
        #expect(future.status == 200 && (future.json["items"] as? [Any])?.isEmpty == true, "since filters by start time")
        let past = try await fetch(server, "/v1/runs?pipeline=\(pipeline.name)&since=2000-01-01T00:00:00Z&until=2999-01-01T00:00:00.5Z")
        #expect((past.json["items"] as? [Any])?.count == 1)
        #expect(try await fetch(server, "/v1/runs?since=yesterday").status == 400)
        let summary = try await fetch(server, "/v1/runs/\(runID)/summary")
        #expect(summary.status == 200 && summary.headers.first(name: "content-type") == "application/json")
        #expect(summary.json["run_id"] as? String == runID && summary.json["rows_read"] as? Int == manifest.rows, "\(summary.text)")
        let text = try await fetch(server, "/v1/runs/\(runID)/summary?format=text")
        #expect(text.status == 200 && text.text.contains(runID))

        let csv = try await fetch(server, "/v1/runs/\(runID)/rejections?format=csv")
        #expect(csv.status == 200 && csv.headers.first(name: "content-type")?.hasPrefix("text/csv") == true)
        #expect(csv.headers.first(name: "content-disposition")?.contains("attachment") == true)
        let lines = csv.text.split(separator: "\r\n", omittingEmptySubsequences: true)
        #expect(lines.first?.hasPrefix("line,") == true, "\(lines.first ?? "")")
        #expect(lines.count >= 1 + Int(manifest.expectedRejectedRows), "a header and at least one record per rejected row")

        let xlsx = try await fetch(server, "/v1/runs/\(runID)/rejections?format=xlsx")
        #expect(xlsx.status == 200)
        #expect(xlsx.headers.first(name: "content-type") == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        let saved = ReportFiles.temporaryPath(".xlsx")
        try Data(xlsx.bytes).write(to: URL(fileURLWithPath: saved))
        #expect(try ReportFiles.isValidZip(saved))
        let sheet = try ReportFiles.unzip(saved, part: "xl/worksheets/sheet1.xml")
        #expect(sheet.components(separatedBy: "<row ").count - 1 == 1 + Int(manifest.expectedRejectedRows), "a header row and a row per rejected row")

        // The bad requests around reports and uploads are problems.
        for (path, status, code) in [
            ("/v1/runs/\(runID)/rejections?format=pdf", 400, "invalid_argument"),
            ("/v1/runs/\(runID)/rejections?outcome=maybe", 400, "invalid_argument"),
            ("/v1/runs/\(UUID().uuidString)/rejections", 404, "run_not_found"),
            ("/v1/runs/\(UUID().uuidString)/summary", 404, "run_not_found"),
            ("/v1/runs/nope/summary", 400, "invalid_argument"),
        ] {
            let answer = try await fetch(server, path)
            #expect(answer.status == status && answer.json["code"] as? String == code, "\(path): \(answer.text)")
        }
        let stopped = server.stop()
        #expect(stopped.status == 0, "\(stopped.stderr)")
    }

    @Test func uploadsThatAreTooLargeOrOfTheWrongKindAreRefusedAndLeaveNothingBehind() async throws {
        let folder = try pipelinesFolder("serve-upload-limits")
        let pipeline = try IntegrationEnvironment.pipelineFile("uplimit", in: folder)
        let server = try await startServer(pipelines: folder, environment: [
            "SLUICE_UPLOAD_PART_BYTES": String(5 << 20), "SLUICE_UPLOAD_MAX_BYTES": String(6 << 20), "SLUICE_WATCH_INTERVAL": "0",
        ])
        let big = [UInt8](repeating: UInt8(ascii: "a"), count: 7 << 20)
        // Refused from its Content-Length before a byte is read, and while streaming without one
        // (after a 5 MiB part was sent: that part is aborted).
        let declared = try await fetch(server, "/v1/uploads?pipeline=\(pipeline.name)", method: .POST,
                                       body: .bytes(ByteBuffer(bytes: big)), contentType: "text/csv")
        #expect(declared.status == 413 && declared.json["code"] as? String == "too_large", "\(declared.text)")
        let streamed = try await fetch(server, "/v1/uploads?pipeline=\(pipeline.name)", method: .POST, body: Self.chunked(big), contentType: "text/csv")
        #expect(streamed.status == 413 && streamed.json["code"] as? String == "too_large", "\(streamed.text)")
        for (query, contentType, status, code) in [
            ("pipeline=\(pipeline.name)", "application/json", 415, "unsupported_media_type"),
            ("pipeline=nope", "text/csv", 422, "unknown_pipeline"),
            ("", "text/csv", 400, "invalid_argument"),
        ] {
            let answer = try await fetch(server, "/v1/uploads?\(query)", method: .POST, body: .bytes(ByteBuffer(string: "a,b\n1,2\n")),
                                         contentType: contentType)
            #expect(answer.status == status && answer.json["code"] as? String == code, "\(query) \(contentType): \(answer.text)")
            #expect(answer.headers.first(name: "content-type") == "application/problem+json")
        }
        let left = try await environment.s3Client().listObjectsV2(bucket: environment.bucket, prefix: "uploads/\(pipeline.name)/")
        #expect(left.objects.isEmpty, "a refused upload stores nothing: \(left.objects.map(\.key))")
        #expect(try await environment.scalar("SELECT count(*) FROM sluice.jobs WHERE payload->>'pipeline' = '\(pipeline.name)'") == 0)

        // A file that can never be read is accepted, then its job is dead at once (no 20 retries)
        // and its run failed, saying why.
        let unreadable = try await fetch(server, "/v1/uploads?pipeline=\(pipeline.name)&filename=garbage.csv", method: .POST,
                                         body: .bytes(ByteBuffer(bytes: [0x00, 0x01, 0x02, 0xFF, 0xFE, 0x00] + Array(repeating: 0, count: 200))),
                                         contentType: "application/octet-stream")
        #expect(unreadable.status == 202, "\(unreadable.text)")
        let garbageJob = try #require(unreadable.json["job_id"] as? Int)
        #expect(try await finalState(server, job: garbageJob, seconds: 60) == "dead")
        let job = try await get(server.base + "/v1/jobs/\(garbageJob)").json
        #expect(job["attempt"] as? Int == 1 && (job["last_error"] as? String)?.isEmpty == false, "\(job)")
        let stopped = server.stop()
        #expect(stopped.status == 0, "\(stopped.stderr)")
    }

    @Test func aRunCancelledOverHTTPResumesOverHTTPWithEveryRowOnce() async throws {
        let folder = try pipelinesFolder("serve-cancel")
        // Small batches, so the run is still loading when the cancel comes.
        let pipeline = try IntegrationEnvironment.pipelineFile("cancel", in: folder) { _, yaml in
            yaml = yaml.replacingOccurrences(of: "batch_size: 16384", with: "batch_size: 25")
        }
        let path = NSTemporaryDirectory() + "cancel-\(UUID().uuidString.prefix(8)).csv"
        let manifest = try IntegrationEnvironment.generate(rows: 30_000, seed: 52, to: path)
        let input = try await environment.upload(path, key: "it/\(UUID().uuidString)/cancel.csv")
        let server = try await startServer(pipelines: folder, environment: ["SLUICE_WATCH_INTERVAL": "0"])
        defer { server.running.kill() }

        let (started, _) = try await post(server.base + "/v1/runs", json: #"{"pipeline": "\#(pipeline.name)", "input": "\#(input)"}"#)
        let jobID = try #require(started.json["job_id"] as? Int)
        var runID = ""
        let deadline = ContinuousClock.now + .seconds(60)
        while runID.isEmpty && ContinuousClock.now < deadline {
            let items = try await get(server.base + "/v1/runs?pipeline=\(pipeline.name)").json["items"] as? [[String: Any]] ?? []
            if let run = items.first, (run["rows_read"] as? Int ?? 0) > 0 { runID = run["id"] as? String ?? "" }
            try await Task.sleep(for: .milliseconds(50))
        }
        try #require(!runID.isEmpty, "the run started")
        let cancel = try await fetch(server, "/v1/runs/\(runID)/cancel", method: .POST)
        #expect(cancel.status == 202, "\(cancel.text)")
        #expect(["requested", "cancelled"].contains(cancel.json["outcome"] as? String ?? ""))
        #expect(try await finalState(server, job: jobID) == "completed", "a cancelled run's job is over")
        let cancelled = try await waitForRun(server, runID) { $0["status"] as? String != "running" }
        #expect(cancelled["status"] as? String == "cancelled", "\(cancelled)")
        let readBefore = cancelled["rows_read"] as? Int ?? 0
        #expect(readBefore > 0 && readBefore < manifest.rows, "cancelled part-way: \(readBefore) of \(manifest.rows)")
        let again = try await fetch(server, "/v1/runs/\(runID)/cancel", method: .POST)
        #expect(again.status == 409, "a run that is over cannot be cancelled: \(again.text)")

        let resume = try await fetch(server, "/v1/runs/\(runID)/resume", method: .POST)
        #expect(resume.status == 202, "\(resume.text)")
        let resumeJob = try #require(resume.json["job_id"] as? Int)
        #expect(resume.headers.first(name: "location") == "/v1/jobs/\(resumeJob)")
        #expect(try await finalState(server, job: resumeJob) == "completed")
        let done = try await get(server.base + "/v1/runs/\(runID)").json
        #expect(done["status"] as? String == "completed", "\(done)")
        #expect(done["rows_read"] as? Int == manifest.rows, "the resumed run read the rest, and no row twice")
        #expect(try await environment.scalar("SELECT count(*) FROM \(pipeline.table)") == Int64(manifest.rows) - manifest.expectedRejectedRows)
        #expect(try await environment.scalar("SELECT count(*) FROM sluice.runs WHERE pipeline = '\(pipeline.name)'") == 1)
        let completedResume = try await fetch(server, "/v1/runs/\(runID)/resume", method: .POST)
        #expect(completedResume.status == 409 && completedResume.json["code"] as? String == "run_not_resumable", "\(completedResume.text)")
        let unknown = try await fetch(server, "/v1/runs/\(UUID().uuidString)/cancel", method: .POST)
        #expect(unknown.status == 404 && unknown.json["code"] as? String == "run_not_found")
        let stopped = server.stop()
        #expect(stopped.status == 0, "\(stopped.stderr)")
    }

    @Test func pipelinesAndTheBlacklistOverHTTP() async throws {
        let folder = try pipelinesFolder("serve-admin")
        let pipeline = try IntegrationEnvironment.pipelineFile("admin", in: folder)
        let server = try await startServer(pipelines: folder, environment: ["SLUICE_WATCH_INTERVAL": "0"])
        defer { server.running.kill() }

        let list = try await fetch(server, "/v1/pipelines")
        #expect(list.status == 200)
        let names = (list.json["items"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        #expect(names == [pipeline.name])
        let one = try await fetch(server, "/v1/pipelines/\(pipeline.name)")
        #expect(one.status == 200 && one.json["target"] as? String == pipeline.table, "\(one.text)")
        #expect((one.json["columns"] as? [[String: Any]])?.contains { $0["name"] as? String == "iban" } == true)
        let missing = try await fetch(server, "/v1/pipelines/nope")
        #expect(missing.status == 404 && missing.json["code"] as? String == "pipeline_not_found")

        // Add, list masked, remove.
        let iban = TestIBAN.unique()
        let reason = "it-\(UUID().uuidString.prefix(8))"
        let added = try await fetch(server, "/v1/blacklist", method: .POST,
                                    body: .bytes(ByteBuffer(string: #"{"kind": "iban", "value": "\#(iban)", "reason": "\#(reason)"}"#)),
                                    contentType: "application/json")
        #expect(added.status == 201, "\(added.text)")
        let entryID = try #require(added.json["id"] as? Int)
        #expect(!added.text.contains(iban), "the answer never shows the IBAN in clear")
        let page = try await fetch(server, "/v1/blacklist?kind=iban&limit=500")
        let entry = (page.json["items"] as? [[String: Any]] ?? []).first { $0["id"] as? Int == entryID }
        #expect(entry?["reason"] as? String == reason)
        #expect((entry?["display"] as? String)?.contains("*") == true && !page.text.contains(iban), "listed masked")
        #expect(try await fetch(server, "/v1/blacklist/\(entryID)", method: .DELETE).status == 204)
        let gone = try await fetch(server, "/v1/blacklist/\(entryID)", method: .DELETE)
        #expect(gone.status == 404 && gone.json["code"] as? String == "entry_not_found")
        let bad = try await fetch(server, "/v1/blacklist", method: .POST, body: .bytes(ByteBuffer(string: #"{"kind": "planet", "value": "x"}"#)),
                                  contentType: "application/json")
        #expect(bad.status == 400 && bad.json["code"] as? String == "invalid_argument")

        // Import a CSV with a bad line, then export it back.
        let email = "it-\(UUID().uuidString.prefix(8).lowercased())@example.com"
        let csv = "kind,value,reason\nemail,\(email),\(reason)\nplanet,mars,nope\n"
        let imported = try await fetch(server, "/v1/blacklist/import", method: .POST, body: .bytes(ByteBuffer(string: csv)), contentType: "text/csv")
        #expect(imported.status == 200, "\(imported.text)")
        #expect(imported.json["rows"] as? Int == 2 && imported.json["inserted"] as? Int == 1 && imported.json["skipped"] as? Int == 1)
        #expect((imported.json["problems"] as? [String])?.first?.contains("3") == true, "the bad line is named: \(imported.text)")
        let exported = try await fetch(server, "/v1/blacklist/export?kind=email")
        #expect(exported.status == 200 && exported.headers.first(name: "content-type")?.hasPrefix("text/csv") == true)
        #expect(exported.text.hasPrefix("kind,value,display,reason,source,created_at"))
        #expect(exported.text.contains("email,\(email),"))
        let wrongType = try await fetch(server, "/v1/blacklist/import", method: .POST, body: .bytes(ByteBuffer(string: csv)), contentType: "application/json")
        #expect(wrongType.status == 415)
        _ = try await environment.scalar("WITH d AS (DELETE FROM sluice.blacklist WHERE reason = '\(reason)' RETURNING 1) SELECT count(*) FROM d")
        let stopped = server.stop()
        #expect(stopped.status == 0, "\(stopped.stderr)")
    }
}
