import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Issue 11, point 7: schemathesis fuzzes a live `sluice serve` from `docs/openapi.yaml`
/// (`scripts/schemathesis.sh`): no answer is a 5xx, and every answer matches the document in its
/// status code, content type, body schema and headers.
@Suite(.serialized)
struct SchemathesisTests: ServeTesting {
    let environment: IntegrationEnvironment
    let cli: SluiceCLI

    init() throws {
        environment = try IntegrationEnvironment()
        cli = try SluiceCLI()
    }

    @Test func everyAnswerOfALiveServerMatchesTheDocumentAndNoneIsAServerError() async throws {
        let folder = NSTemporaryDirectory() + "schemathesis-pipelines-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let pipeline = try IntegrationEnvironment.pipelineFile("schemathesis", in: folder)
        // One admin token for every operation, `POST /v1/events/s3` too: the server takes it as
        // MinIO's token as well, so the fuzzer gets past that route's check.
        let token = try await createToken(role: "admin", name: IntegrationEnvironment.uniqueName("schemathesis"))
        let server = try await startServer(pipelines: folder, environment: ["SLUICE_EVENTS_TOKEN": token])
        defer {
            _ = server.stop()
            try? FileManager.default.removeItem(atPath: server.running.stdoutPath)
            try? FileManager.default.removeItem(atPath: server.running.stderrPath)
        }

        // A real run and its job, so that the fuzzer reaches the answers for things that exist
        // (a run's 200, summary and rejections, a cancel's or resume's 409), not only 404s.
        let csv = NSTemporaryDirectory() + "schemathesis-\(UUID().uuidString.prefix(8)).csv"
        defer { try? FileManager.default.removeItem(atPath: csv) }
        _ = try IntegrationEnvironment.generate(rows: 200, seed: 77, to: csv)
        let (uploaded, _) = try await post(
            server.base + "/v1/uploads?pipeline=\(pipeline.name)&filename=debtors.csv",
            json: try String(contentsOfFile: csv, encoding: .utf8), contentType: "text/csv")
        #expect(uploaded.status == 202, "\(uploaded.json)")
        let runID = try #require(uploaded.json["run_id"] as? String)
        let jobID = try #require(uploaded.json["job_id"] as? Int)
        #expect(try await finalState(server, job: jobID) == "completed")

        let result = try await Self.runScript(
            IntegrationEnvironment.path("scripts/schemathesis.sh"), [server.base, token],
            environment: ["SCHEMATHESIS_PIPELINE": pipeline.name, "SCHEMATHESIS_IDS": "\(runID),\(jobID)"],
            timeout: .seconds(540))
        // The fuzzer uploads files and queues runs of this pipeline that fail (empty or random
        // bodies) and would be retried: they are this test's, and no other server may take them.
        _ = try await environment.scalar("""
            WITH ended AS (
              UPDATE sluice.jobs SET state = 'cancelled', finished_at = now(), updated_at = now()
              WHERE payload->>'pipeline' = '\(pipeline.name)' AND state IN ('available', 'retryable', 'running')
              RETURNING 1)
            SELECT count(*) FROM ended
            """)

        // A run that tested nothing must not pass: schemathesis closes with its count of cases.
        #expect(result.output.contains("Test cases:"), "\(result.output.suffix(4000))")
        if result.status != 0 {
            // Schemathesis prints each failing case with its curl reproduction between FAILURES
            // and SUMMARY; the whole tail when it failed before that (install, no server).
            let failures = result.output.range(of: "FAILURES").map { String(result.output[$0.lowerBound...]) }
            Issue.record("""
                scripts/schemathesis.sh \(server.base) exited \(result.status)\(result.timedOut ? " (timed out)" : ""):
                \((failures ?? result.output).suffix(20_000))
                """)
        }
    }

    /// Runs `script` with bash, its stdout and stderr together in one file; kills it after `timeout`.
    static func runScript(
        _ script: String, _ arguments: [String], environment variables: [String: String], timeout: Duration
    ) async throws -> (status: Int32, output: String, timedOut: Bool) {
        let path = NSTemporaryDirectory() + "schemathesis-\(UUID().uuidString.prefix(8)).log"
        FileManager.default.createFile(atPath: path, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? output.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(variables) { _, new in new }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        let timedOut = process.isRunning
        // SIGTERM lets the script's EXIT trap put the blacklist back.
        if timedOut { kill(process.processIdentifier, SIGTERM) }
        process.waitUntilExit()
        return (process.terminationStatus, (try? String(contentsOfFile: path, encoding: .utf8)) ?? "", timedOut)
    }
}
