import Foundation
import Logging
import NIOCore
import PostgresNIO
import SluiceCore
import SluicePostgres
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Run leases (issue 10): a process whose lease was taken over cannot commit (fencing); a
/// signal stops a run cleanly and it resumes; all of it directly and through PgBouncer in
/// transaction pooling mode.
@Suite(.serialized)
struct LeaseTests {
    let environment: IntegrationEnvironment

    init() throws {
        environment = try IntegrationEnvironment()
    }

    func connect(through route: String) async throws -> PostgresConnection {
        let database = route == "pgbouncer" ? try environment.pgbouncerDatabase() : environment.database
        return try await database.connect(logger: environment.logger)
    }

    /// A one-row batch for the sink.
    func batch(sequence: Int) -> RecordBatch {
        var batch = RecordBatch(sequence: sequence, object: SourceObject(uri: "memory:lease", etag: "1", size: 100), startOffset: Int64(sequence * 10))
        batch.arena = Array("x".utf8)
        batch.fieldStarts = [0]
        batch.fieldEnds = [1]
        batch.rowFieldBase = [0, 1]
        batch.rawStarts = [0]
        batch.rawEnds = [1]
        batch.lines = [Int64(sequence + 2)]
        batch.offsets = [Int64(sequence * 10)]
        batch.columnCount = 1
        batch.valueStarts = [0]
        batch.valueEnds = [1]
        batch.status = [.accepted]
        batch.nextOffset = Int64(sequence * 10 + 10)
        batch.nextLine = Int64(sequence + 3)
        return batch
    }

    @Test(arguments: ["direct", "pgbouncer"])
    func aProcessWhoseLeaseWasTakenOverCannotCommit(through route: String) async throws {
        try await environment.migrate()
        let connection = try await connect(through: route)
        let store = RunStore(connection: connection, logger: environment.logger)
        let table = try TableName("sluice_it." + IntegrationEnvironment.uniqueName("lease"))
        try await Migrator().ensureTargetTable(table, columns: ["a"], on: connection, logger: environment.logger)
        let object = SourceObject(uri: "memory:lease-\(UUID())", etag: "1", size: 100)
        let run = try await store.createRun(pipeline: "lease-test", object: object, targetTable: table.description, batchRows: 1, node: "test/1")

        let first = try #require(try await store.acquireLease(run, owner: "first/1", ttl: .seconds(30)))
        #expect(try await store.acquireLease(run, owner: "second/2", ttl: .seconds(30)) == nil, "a held lease is not taken")
        let encoder = CopyEncoder(runID: run.id, columns: ["a"], keepRaw: false)
        let firstSink = BatchSink(connection: connection, table: table, encoder: encoder, lease: first, logger: environment.logger)
        try await firstSink.commit(firstSink.prepare(batch(sequence: 0)))

        // The first holder stops renewing; once its lease expires the second takes over.
        _ = try await environment.scalar("UPDATE sluice.runs SET lease_expires_at = now() - interval '1 second' WHERE id = '\(run.idText)' RETURNING 1")
        let second = try #require(try await store.acquireLease(run, owner: "second/2", ttl: .seconds(30)))
        #expect(second.token != first.token)
        #expect(try await store.renew(first) == .lost, "the old holder learns it lost the lease")
        #expect(try await store.renew(second) == .renewed)

        let error = await #expect(throws: SluiceError.self) {
            try await firstSink.commit(firstSink.prepare(self.batch(sequence: 1)))
        }
        #expect(error?.code == .leaseLost)
        #expect(try await environment.scalar("SELECT count(*) FROM \(table.quoted)") == 1, "nothing of the fenced batch was written")
        #expect(try await environment.scalar("SELECT count(*) FROM sluice.run_checkpoints WHERE run_id = '\(run.idText)'") == 1)
        await #expect(throws: SluiceError.self) { try await store.finish(first, status: .failed, error: "late", timings: [:]) }

        let secondSink = BatchSink(connection: connection, table: table, encoder: encoder, lease: second, logger: environment.logger)
        try await secondSink.commit(secondSink.prepare(batch(sequence: 1)))
        try await store.finish(second, status: .completed, error: nil, timings: [:])
        #expect(try await environment.strings("SELECT status FROM sluice.runs WHERE id = '\(run.idText)'") == ["completed"])
        #expect(try await environment.scalar("SELECT count(*) FROM sluice.runs WHERE id = '\(run.idText)' AND lease_token IS NULL") == 1, "finishing gives the lease up")
        try await connection.close()
    }

    /// A generated file and a pipeline for the CLI tests.
    func fixture(rows: Int, seed: Int) throws -> (pipeline: String, name: String, table: String, input: String, manifest: Manifest) {
        let folder = NSTemporaryDirectory() + "sluice-lease-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let input = folder + "/debtors.csv"
        let manifest = try IntegrationEnvironment.generate(rows: rows, seed: seed, to: input)
        let pipeline = try IntegrationEnvironment.pipelineFile("lease", in: folder)
        return (pipeline.path, pipeline.name, pipeline.table, input, manifest)
    }

    func cli(through route: String) throws -> SluiceCLI {
        route == "pgbouncer"
            ? try SluiceCLI(environment: ["SLUICE_DATABASE_URL": ProcessInfo.processInfo.environment["SLUICE_PGBOUNCER_URL"] ?? ""])
            : try SluiceCLI()
    }

    func committed(_ name: String) async throws -> Int64 {
        try await environment.committedBatches(pipeline: name)
    }

    @Test(arguments: ["direct", "pgbouncer"])
    func sigtermStopsARunCleanlyAndItResumesWithEveryRowOnce(through route: String) async throws {
        let fixture = try fixture(rows: 60_000, seed: 31)
        let cli = try cli(through: route)
        let arguments = ["run", fixture.pipeline, "--input", fixture.input, "--batch-size", "250", "--no-progress"]
        let running = try cli.start(arguments)
        while running.isRunning, try await committed(fixture.name) < 20 { try await Task.sleep(for: .milliseconds(5)) }
        running.kill(SIGTERM)
        let stopped = running.wait()
        #expect(stopped.status == 10, "\(stopped.stderr)")
        #expect(stopped.stderr.contains("stopping: committing the batches in flight"))
        #expect(try await environment.strings("SELECT status FROM sluice.runs WHERE pipeline = '\(fixture.name)'") == ["interrupted"])
        #expect(try await environment.scalar("SELECT count(*) FROM sluice.runs WHERE pipeline = '\(fixture.name)' AND lease_token IS NULL") == 1,
                "an interrupted run gives its lease up")
        let batches = try await committed(fixture.name)
        #expect(batches < 240, "the run stopped before the end")
        let prefix = try await environment.scalar("""
            SELECT max(batch_seq) + 1 - count(*) FROM sluice.run_checkpoints c JOIN sluice.runs r ON r.id = c.run_id WHERE r.pipeline = '\(fixture.name)'
            """)
        #expect(prefix == 0, "an interrupted run leaves no gap: its in-flight batches committed")

        let resumed = try await cli.run(arguments)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let accepted = Int64(fixture.manifest.rows) - fixture.manifest.expectedRejectedRows
        #expect(try await environment.scalar("SELECT count(*) FROM \(fixture.table)") == accepted)
        #expect(try await environment.scalar("SELECT count(DISTINCT source_offset) FROM \(fixture.table)") == accepted)
        #expect(try await environment.scalar("SELECT attempts FROM sluice.runs WHERE pipeline = '\(fixture.name)'") == 2)
    }

    /// The resume test of `ResumeTests`, through PgBouncer: SIGKILL at several points, then a
    /// run that resumes at once (the dead process's lease is taken over) with every row once.
    @Test func runsKilledWithSIGKILLResumeExactlyOnceThroughPgBouncer() async throws {
        let fixture = try fixture(rows: 40_000, seed: 32)
        let cli = try cli(through: "pgbouncer")
        let arguments = ["run", fixture.pipeline, "--input", fixture.input, "--batch-size", "250", "--no-progress"]
        var kills = 0
        for threshold: Int64 in [5, 50, 100] {
            let running = try cli.start(arguments)
            while running.isRunning, try await committed(fixture.name) < threshold { try await Task.sleep(for: .milliseconds(5)) }
            if running.isRunning { running.kill(); kills += 1 }
            _ = running.wait()
        }
        #expect(kills >= 2)
        let final = try await cli.run(arguments)
        #expect(final.status == 0, "\(final.stderr)")
        let accepted = Int64(fixture.manifest.rows) - fixture.manifest.expectedRejectedRows
        #expect(try await environment.scalar("SELECT count(*) FROM \(fixture.table)") == accepted)
        #expect(try await environment.scalar("SELECT count(DISTINCT source_offset) FROM \(fixture.table)") == accepted)
        #expect(try await environment.scalar("SELECT count(*) FROM sluice.runs WHERE pipeline = '\(fixture.name)' AND status = 'completed'") == 1)
    }

    /// Two processes start the same object at once through PgBouncer: one loads it, the other
    /// waits for the lease and then finds it loaded; every row once.
    @Test(arguments: ["direct", "pgbouncer"])
    func twoProcessesOnTheSameObjectLoadItOnce(through route: String) async throws {
        let fixture = try fixture(rows: 30_000, seed: 33)
        let cli = try cli(through: route)
        let arguments = ["run", fixture.pipeline, "--input", fixture.input, "--batch-size", "500", "--no-progress"]
        let first = try cli.start(arguments)
        let second = try cli.start(arguments)
        let results = [first.wait(), second.wait()]
        let statuses = results.map(\.status).sorted()
        #expect(statuses == [0, 0] || statuses == [0, 3], "\(results.map(\.stderr))")
        let accepted = Int64(fixture.manifest.rows) - fixture.manifest.expectedRejectedRows
        #expect(try await environment.scalar("SELECT count(*) FROM \(fixture.table)") == accepted)
        #expect(try await environment.scalar("SELECT count(DISTINCT source_offset) FROM \(fixture.table)") == accepted)
        #expect(try await environment.scalar("SELECT count(*) FROM sluice.runs WHERE pipeline = '\(fixture.name)'") == 1)
    }
}

/// `sluice cancel`: the process working on the run stops after its batches in flight and
/// the run ends `cancelled`; what it committed stays, and only an explicit resume continues it.
@Suite(.serialized)
struct CancelTests {
    @Test func aCancelledRunStopsKeepsItsRowsAndResumesOnlyWhenAsked() async throws {
        let environment = try IntegrationEnvironment()
        let leaseTests = try LeaseTests()
        let fixture = try leaseTests.fixture(rows: 60_000, seed: 34)
        let cli = try SluiceCLI(environment: ["SLUICE_LEASE_TTL": "1.5"])
        let arguments = ["run", fixture.pipeline, "--input", fixture.input, "--batch-size", "200", "--no-progress"]
        let running = try cli.start(arguments)
        while running.isRunning, try await leaseTests.committed(fixture.name) < 10 { try await Task.sleep(for: .milliseconds(5)) }
        let runID = try await environment.strings("SELECT id::text FROM sluice.runs WHERE pipeline = '\(fixture.name)'")[0]
        let cancel = try await cli.run(["cancel", runID])
        #expect(cancel.status == 0, "\(cancel.stderr)")
        #expect(cancel.stdout.contains("cancel requested"))
        let stopped = running.wait()
        #expect(stopped.status == 11, "\(stopped.stderr)")
        #expect(try await environment.strings("SELECT status FROM sluice.runs WHERE id = '\(runID)'") == ["cancelled"])
        let kept = try await environment.scalar("SELECT count(*) FROM \(fixture.table)")
        let counted = try await environment.scalar("SELECT rows_accepted FROM sluice.runs WHERE id = '\(runID)'")
        #expect(kept > 0 && kept == counted, "what the cancelled run committed stays, and its counters say so")

        let plain = try await cli.run(arguments)
        #expect(plain.status == 7, "\(plain.stderr)")
        #expect(plain.stderr.contains("was cancelled") && plain.stderr.contains("--resume \(runID)"))

        let resumed = try await cli.run(arguments + ["--resume", runID])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let accepted = Int64(fixture.manifest.rows) - fixture.manifest.expectedRejectedRows
        #expect(try await environment.scalar("SELECT count(*) FROM \(fixture.table)") == accepted)
        #expect(try await environment.scalar("SELECT count(DISTINCT source_offset) FROM \(fixture.table)") == accepted)

        let again = try await cli.run(["cancel", runID])
        #expect(again.status == 7, "a completed run cannot be cancelled")
    }
}
