import AsyncHTTPClient
import Foundation
import NIOCore
import SluiceS3
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Several `sluice serve` nodes against one PostgreSQL and one bucket, and no coordinator of
/// their own: drops are loaded once whichever node sees them, a node that dies leaves its run to
/// another, and SIGTERM stops a node at a checkpoint. (Issue 11.)
@Suite(.serialized)
struct ServeNodesTests: ServeTesting {
    let environment: IntegrationEnvironment
    let cli: SluiceCLI

    init() throws {
        environment = try IntegrationEnvironment()
        cli = try SluiceCLI()
    }

    func pipelinesFolder(_ name: String) throws -> String {
        let folder = NSTemporaryDirectory() + "\(name)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }

    /// The run of `pipeline` once one exists and `done` says so, or the last seen after `seconds`.
    func awaitRun(_ server: Server, pipeline: String, seconds: Int = 180, until done: ([String: Any]) -> Bool) async throws -> [String: Any] {
        var run: [String: Any] = [:]
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            let items = (try? await get(server.base + "/v1/runs?pipeline=\(pipeline)").json["items"] as? [[String: Any]]) ?? []
            if let first = items.first {
                run = first
                if done(first) { break }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        return run
    }

    @Test func twentyFilesDroppedOnTwoNodesAreEachLoadedExactlyOnce() async throws {
        let root = "it/\(UUID().uuidString)/"
        let folder = try pipelinesFolder("nodes-drops")
        let pipeline = try IntegrationEnvironment.pipelineFile("nodes", in: folder, extra: """

            watch:
              - bucket: \(environment.bucket)
                prefix: "\(root)drops/"
            """)
        let token = "events-\(UUID().uuidString)"
        let settings = ["SLUICE_WATCH_INTERVAL": "0.5", "SLUICE_EVENTS_TOKEN": token, "SLUICE_WORKERS": "2"]
        let one = try await startServer(pipelines: folder, environment: settings)
        let two = try await startServer(pipelines: folder, environment: settings)
        defer { one.running.kill(); two.running.kill() }

        let client = try environment.s3Client()
        var accepted: Int64 = 0
        var records: [String] = []
        for index in 0 ..< 20 {
            let path = NSTemporaryDirectory() + "nodes-\(UUID().uuidString.prefix(8)).csv"
            let manifest = try IntegrationEnvironment.generate(rows: 60, seed: 100 + index, to: path)
            accepted += Int64(manifest.rows) - manifest.expectedRejectedRows
            let key = root + "drops/file \(index).csv"
            let etag = try await client.putObject(bucket: environment.bucket, key: key, fileAt: path)
            records.append(#"{"eventName":"s3:ObjectCreated:Put","s3":{"bucket":{"name":"\#(environment.bucket)"},"object":{"key":"\#(ServeTests.queryEscape(key))","size":1,"eTag":"\#(etag)","sequencer":"\#(index)"}}}"#)
        }
        // The same versions also arrive as MinIO events, at both nodes at once, while both poll.
        let event = #"{"EventName":"s3:ObjectCreated:Put","Records":[\#(records.joined(separator: ","))]}"#
        async let first = post(one.base + "/v1/events/s3", json: event, headers: [("Authorization", "Bearer \(token)")])
        async let second = post(two.base + "/v1/events/s3", json: event, headers: [("Authorization", "Bearer \(token)")])
        let answers = try await [first.0, second.0]
        #expect(answers.allSatisfy { $0.status == 200 }, "\(answers.map(\.json))")

        let runs = try await waitForRuns(one, pipeline: pipeline.name, count: 20)
        #expect(runs.count == 20, "one run per file: \(runs.count)")
        #expect(Set(runs.compactMap { $0["object"] as? String }).count == 20, "every file, none twice")
        #expect(runs.allSatisfy { $0["status"] as? String == "completed" })
        // A little later nothing more has started, though both nodes keep polling.
        try await Task.sleep(for: .seconds(2))
        #expect(try await environment.scalar("SELECT count(*) FROM sluice.runs WHERE pipeline = '\(pipeline.name)'") == 20)
        #expect(try await environment.scalar("SELECT count(*) FROM \(pipeline.table)") == accepted, "every accepted row once")
        #expect(try await environment.scalar("SELECT count(*) FROM sluice.objects WHERE pipeline = '\(pipeline.name)'") == 20)
        #expect(try await environment.scalar("SELECT count(*) FROM sluice.jobs WHERE payload->>'pipeline' = '\(pipeline.name)'") == 20,
                "one job per version, whichever node or way it came by")
        for server in [one, two] {
            let stopped = server.stop()
            #expect(stopped.status == 0, "\(stopped.stderr.suffix(2000))")
        }
    }

    /// A pipeline with small batches and an object big enough that a run takes a while.
    func slowRun(_ name: String, rows: Int) async throws -> (folder: String, pipeline: IntegrationEnvironment.PipelineFile, input: String, expected: Int64, rows: Int) {
        let folder = try pipelinesFolder(name)
        let pipeline = try IntegrationEnvironment.pipelineFile(name, in: folder) { _, yaml in
            yaml = yaml.replacingOccurrences(of: "batch_size: 16384", with: "batch_size: 40")
        }
        let path = NSTemporaryDirectory() + "\(name)-\(UUID().uuidString.prefix(8)).csv"
        let manifest = try IntegrationEnvironment.generate(rows: rows, seed: 61, to: path)
        let input = try await environment.upload(path, key: "it/\(UUID().uuidString)/\(name).csv")
        return (folder, pipeline, input, Int64(manifest.rows) - manifest.expectedRejectedRows, manifest.rows)
    }

    @Test func aNodeKilledMidRunLeavesItsRunToAnotherNodeThatFinishesItWithEveryRowOnce() async throws {
        let load = try await slowRun("nodekill", rows: 40_000)
        let settings = ["SLUICE_WATCH_INTERVAL": "0", "SLUICE_JOB_LEASE_SECONDS": "4", "SLUICE_WORKERS": "1"]
        let doomed = try await startServer(pipelines: load.folder, environment: settings)
        defer { doomed.running.kill() }
        let (started, _) = try await post(doomed.base + "/v1/runs", json: #"{"pipeline": "\#(load.pipeline.name)", "input": "\#(load.input)"}"#)
        let jobID = try #require(started.json["job_id"] as? Int)
        let before = try await awaitRun(doomed, pipeline: load.pipeline.name) { ($0["batches"] as? Int ?? 0) >= 5 }
        let runID = try #require(before["id"] as? String)
        #expect(before["status"] as? String == "running", "\(before)")

        let survivor = try await startServer(pipelines: load.folder, environment: settings)
        defer { survivor.running.kill() }
        doomed.running.kill(SIGKILL)
        _ = doomed.running.wait()
        let killedAt = try await get(survivor.base + "/v1/runs/\(runID)").json
        #expect((killedAt["rows_read"] as? Int ?? 0) < load.rows, "killed part-way")

        #expect(try await finalState(survivor, job: jobID, seconds: 240) == "completed")
        let run = try await get(survivor.base + "/v1/runs/\(runID)").json
        #expect(run["status"] as? String == "completed", "\(run)")
        #expect(run["rows_read"] as? Int == load.rows)
        #expect(run["attempts"] as? Int ?? 0 >= 2, "resumed by the other node")
        #expect(try await environment.scalar("SELECT count(*) FROM \(load.pipeline.table)") == load.expected, "every accepted row exactly once")
        #expect(try await environment.scalar("SELECT count(*) FROM sluice.runs WHERE pipeline = '\(load.pipeline.name)'") == 1)
        let stopped = survivor.stop()
        #expect(stopped.status == 0, "\(stopped.stderr.suffix(2000))")
    }

    @Test func sigtermStopsANodeAtACheckpointAndGivesItsJobBackForAnotherNode() async throws {
        let load = try await slowRun("nodeterm", rows: 40_000)
        let settings = ["SLUICE_WATCH_INTERVAL": "0", "SLUICE_WORKERS": "1"]
        let leaving = try await startServer(pipelines: load.folder, environment: settings)
        defer { leaving.running.kill() }
        let (started, _) = try await post(leaving.base + "/v1/runs", json: #"{"pipeline": "\#(load.pipeline.name)", "input": "\#(load.input)"}"#)
        let jobID = try #require(started.json["job_id"] as? Int)
        let before = try await awaitRun(leaving, pipeline: load.pipeline.name) { ($0["batches"] as? Int ?? 0) >= 5 }
        let runID = try #require(before["id"] as? String)

        let stopped = leaving.stop()
        #expect(stopped.status == 0, "SIGTERM drains and exits 0: \(stopped.stderr.suffix(2000))")
        #expect(stopped.seconds < 30, "it stopped at the next checkpoint, not at the end of the run")
        #expect(try await environment.scalar("""
            SELECT count(*) FROM sluice.runs WHERE id = '\(runID)' AND status = 'interrupted' AND lease_token IS NULL
            """) == 1, "the run is interrupted at a checkpoint and its lease given up")
        #expect(try await environment.scalar("""
            SELECT count(*) FROM sluice.jobs WHERE id = \(jobID) AND state = 'available' AND attempt = 0 AND lease_token IS NULL
            """) == 1, "the job is given back at once, the attempt not counted")

        let next = try await startServer(pipelines: load.folder, environment: settings)
        defer { next.running.kill() }
        #expect(try await finalState(next, job: jobID, seconds: 240) == "completed")
        let run = try await get(next.base + "/v1/runs/\(runID)").json
        #expect(run["status"] as? String == "completed" && run["rows_read"] as? Int == load.rows, "\(run)")
        #expect(try await environment.scalar("SELECT count(*) FROM \(load.pipeline.table)") == load.expected, "every accepted row exactly once")
        let done = next.stop()
        #expect(done.status == 0)
    }
}
