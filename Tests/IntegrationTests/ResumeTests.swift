import Foundation
import SluiceCore
import SluicePipeline
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Runs of the real `sluice` binary that die mid-object and are started again.
///
/// Every row must end up in the target table exactly once, and every rejection once.
@Suite(.serialized)
struct ResumeTests {
    let environment: IntegrationEnvironment
    let binary: String

    init() throws {
        environment = try IntegrationEnvironment()
        binary = try IntegrationEnvironment.sluiceBinary()
    }

    /// A generated object on S3 and a pipeline file naming a fresh target table.
    struct Fixture {
        var input: String
        var pipelinePath: String
        var pipeline: String
        var table: String
        var manifest: Manifest
        var expectedAccepted: Int64 { Int64(manifest.rows) - manifest.expectedRejectedRows }
        var expectedRejected: Int64 { manifest.expectedRejectedRows }
    }

    func fixture(rows: Int, seed: Int) async throws -> Fixture {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-it-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent("debtors.csv").path
        let manifest = try IntegrationEnvironment.generate(rows: rows, seed: seed, to: file)
        let input = try await environment.upload(file, key: "it/\(UUID())/debtors-\(rows).csv")
        let pipeline = try IntegrationEnvironment.pipelineFile("resume", in: directory.path)
        return Fixture(input: input, pipelinePath: pipeline.path, pipeline: pipeline.name, table: pipeline.table, manifest: manifest)
    }

    func start(_ fixture: Fixture, batchSize: Int) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["run", fixture.pipelinePath, "--input", fixture.input, "--batch-size", "\(batchSize)", "--no-progress", "--json"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    func committedBatches(_ fixture: Fixture) async throws -> Int64 {
        try await environment.committedBatches(pipeline: fixture.pipeline)
    }

    /// Waits until at least `batches` are committed, or the process ends.
    func wait(for fixture: Fixture, batches: Int64, process: Process) async throws {
        let deadline = ContinuousClock.now + .seconds(120)
        while process.isRunning, ContinuousClock.now < deadline {
            if try await committedBatches(fixture) >= batches { return }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    func expectExactlyOnce(_ fixture: Fixture) async throws {
        let table = fixture.table
        #expect(try await environment.scalar("SELECT count(*) FROM \(table)") == fixture.expectedAccepted)
        #expect(try await environment.scalar("SELECT count(DISTINCT source_line) FROM \(table)") == fixture.expectedAccepted)
        let runID = "(SELECT id FROM sluice.runs WHERE pipeline = '\(fixture.pipeline)')"
        #expect(try await environment.scalar("SELECT count(*) FROM sluice.rejections WHERE run_id = \(runID)") == fixture.expectedRejected)
        #expect(try await environment.scalar("SELECT count(DISTINCT line) FROM sluice.rejections WHERE run_id = \(runID)") == fixture.expectedRejected)
        #expect(try await environment.scalar("SELECT rows_read FROM sluice.runs WHERE pipeline = '\(fixture.pipeline)'") == Int64(fixture.manifest.rows))
        #expect(try await environment.scalar("SELECT rows_accepted FROM sluice.runs WHERE pipeline = '\(fixture.pipeline)'") == fixture.expectedAccepted)
        #expect(try await environment.scalar("SELECT count(*) FROM sluice.runs WHERE pipeline = '\(fixture.pipeline)' AND status = 'completed'") == 1)
    }

    @Test func runsKilledWithSIGKILLAtSeveralPointsResumeToExactlyTheExpectedRows() async throws {
        let fixture = try await fixture(rows: 60_000, seed: 11)
        let batchSize = 250
        let totalBatches = Int64((fixture.manifest.rows + batchSize - 1) / batchSize)
        var kills = 0
        for threshold in [3, totalBatches / 3, (2 * totalBatches) / 3] {
            let process = try start(fixture, batchSize: batchSize)
            try await wait(for: fixture, batches: threshold, process: process)
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                kills += 1
            }
            process.waitUntilExit()
        }
        #expect(kills >= 2, "the run finished before it could be killed; make the file larger")
        let committedBeforeFinal = try await committedBatches(fixture)
        #expect(committedBeforeFinal < totalBatches)

        // Starting the same pipeline on the same object again resumes the unfinished run.
        let final = try start(fixture, batchSize: batchSize)
        final.waitUntilExit()
        #expect(final.terminationStatus == 0)
        #expect(try await committedBatches(fixture) == totalBatches)
        #expect(try await environment.scalar("SELECT attempts FROM sluice.runs WHERE pipeline = '\(fixture.pipeline)'") == Int64(kills + 1))
        try await expectExactlyOnce(fixture)
    }

    /// Batches commit one by one, yet a run over its error budget leaves no row behind: not
    /// those of this attempt, nor those an earlier, killed attempt committed.
    @Test func aBudgetBreachedAfterAResumeRemovesTheRowsOfEveryAttempt() async throws {
        let fixture = try await fixture(rows: 30_000, seed: 13)
        // The generator breaks about 10% of the rows; the ratio is judged at the end.
        try (String(contentsOfFile: fixture.pipelinePath, encoding: .utf8) + "\nerror_budget: {max_rejected_ratio: 0.05}\n")
            .write(toFile: fixture.pipelinePath, atomically: true, encoding: .utf8)
        let first = try start(fixture, batchSize: 250)
        try await wait(for: fixture, batches: 20, process: first)
        if first.isRunning { kill(first.processIdentifier, SIGKILL) }
        first.waitUntilExit()
        #expect(first.terminationReason == .uncaughtSignal, "the first attempt must die mid-file")
        #expect(try await environment.scalar("SELECT count(*) FROM \(fixture.table)") > 0, "the killed attempt left committed rows")

        let second = try start(fixture, batchSize: 250)
        second.waitUntilExit()
        #expect(second.terminationStatus == 8)
        #expect(try await environment.scalar("SELECT count(*) FROM \(fixture.table)") == 0)
        let runID = "(SELECT id FROM sluice.runs WHERE pipeline = '\(fixture.pipeline)')"
        #expect(try await environment.scalar("SELECT count(*) FROM sluice.runs WHERE pipeline = '\(fixture.pipeline)' AND status = 'failed_budget'") == 1)
        #expect(try await environment.scalar("SELECT attempts FROM sluice.runs WHERE pipeline = '\(fixture.pipeline)'") == 2)
        #expect(try await environment.scalar("SELECT count(DISTINCT line) FROM sluice.rejections WHERE run_id = \(runID)") == fixture.expectedRejected)
    }

    @Test func aRunResumedByIdAfterAPostgresRestartLoadsEveryRowOnce() async throws {
        let fixture = try await fixture(rows: 80_000, seed: 12)
        let process = try start(fixture, batchSize: 250)
        try await wait(for: fixture, batches: 10, process: process)
        try IntegrationEnvironment.run("/usr/bin/env", ["bash", IntegrationEnvironment.path("scripts/stack.sh"), "pg-restart"])
        process.waitUntilExit()
        #expect(process.terminationStatus != 0, "the run should fail when PostgreSQL goes away")

        let runID = try await environment.withConnection { connection in
            for try await id in try await connection.query("SELECT id::text FROM sluice.runs WHERE pipeline = \(fixture.pipeline)", logger: environment.logger).decode(String.self) {
                return id
            }
            throw SetupError("no run recorded")
        }
        let resume = Process()
        resume.executableURL = URL(fileURLWithPath: binary)
        resume.arguments = ["run", fixture.pipelinePath, "--input", fixture.input, "--resume", runID, "--no-progress"]
        resume.standardOutput = FileHandle.nullDevice
        try resume.run()
        resume.waitUntilExit()
        #expect(resume.terminationStatus == 0)
        try await expectExactlyOnce(fixture)
    }

    @Test func exitCodesSayWhatHappened() async throws {
        let fixture = try await fixture(rows: 200, seed: 13)
        let first = try start(fixture, batchSize: 100)
        first.waitUntilExit()
        #expect(first.terminationStatus == 0)
        let again = try start(fixture, batchSize: 100)
        again.waitUntilExit()
        #expect(again.terminationStatus == 3, "already loaded")

        let missing = Process()
        missing.executableURL = URL(fileURLWithPath: binary)
        missing.arguments = ["run", fixture.pipelinePath, "--input", "s3://\(environment.bucket)/it/does-not-exist.csv", "--no-progress"]
        missing.standardError = FileHandle.nullDevice
        try missing.run()
        missing.waitUntilExit()
        #expect(missing.terminationStatus == 5, "source not found")
    }
}
