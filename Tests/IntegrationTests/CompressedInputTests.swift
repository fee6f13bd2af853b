import Foundation
import SluiceCore
import SluicePipeline
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// gzip-compressed and UTF-16 inputs on the real stack: they load exactly the rows of the
/// plain UTF-8 file, and a run killed mid-object resumes to every row once.
@Suite(.serialized)
struct CompressedInputTests {
    let environment: IntegrationEnvironment

    init() throws {
        environment = try IntegrationEnvironment()
    }

    static func temporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-it-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    /// Writes `path` gzip-compressed as `members` concatenated gzip members (split at byte
    /// boundaries, so records span members), optionally converted to UTF-16 with a BOM first.
    static func compress(_ path: String, to output: String, members: Int = 1, utf16: Bool = false, gzip: Bool = true) throws {
        let script = """
            import gzip, sys
            data = open(sys.argv[1], 'rb').read()
            if sys.argv[4] == '1': data = data.decode('utf-8').encode('utf-16')
            if sys.argv[5] == '1':
                n = int(sys.argv[3]); step = len(data) // n + 1
                data = b''.join(gzip.compress(data[i:i + step]) for i in range(0, len(data), step))
            open(sys.argv[2], 'wb').write(data)
            """
        try IntegrationEnvironment.run(
            "/usr/bin/env", ["python3", "-c", script, path, output, "\(members)", utf16 ? "1" : "0", gzip ? "1" : "0"])
    }

    /// The target table's rows without `run_id`, and the run's rejections, as one digest each.
    func digests(table: String, runID: String) async throws -> [String] {
        let rows = try await environment.strings(
            "SELECT coalesce(md5(string_agg((to_jsonb(t) - 'run_id')::text, '|' ORDER BY source_line)), '') FROM \(table) t")
        let rejections = try await environment.strings("""
            SELECT coalesce(md5(string_agg(concat_ws(',', batch_seq, line, byte_offset, code, column_name, encode(raw, 'hex')), '|'
                ORDER BY line, code)), '')
            FROM sluice.rejections WHERE run_id = '\(runID)'
            """)
        return rows + rejections
    }

    @Test func aGzippedObjectOnS3LoadsEveryRowOnceLikeTheUncompressedFile() async throws {
        let manifest = try Manifest.load(IntegrationEnvironment.path("Samples/debtors-10k.manifest.json"))
        let plainPath = IntegrationEnvironment.path("Samples/debtors-10k.csv")
        let gzipPath = try Self.temporaryDirectory().appendingPathComponent("debtors-10k.csv.gz").path
        try Self.compress(plainPath, to: gzipPath)
        let prefix = "it/\(UUID())"
        let plainInput = try await environment.upload(plainPath, key: "\(prefix)/debtors-10k.csv")
        let gzipInput = try await environment.upload(gzipPath, key: "\(prefix)/debtors-10k.csv.gz")

        let plainSpec = try environment.pipeline(batchSize: 1500)
        let gzipSpec = try environment.pipeline(batchSize: 1500)
        let plain = try await environment.runner().run(plainSpec, input: plainInput)
        let compressed = try await environment.runner().run(gzipSpec, input: gzipInput)

        #expect(compressed.run.status == .completed)
        #expect(compressed.run.objectURI == gzipInput)
        #expect(compressed.run.counters.rowsRead == Int64(manifest.rows))
        #expect(compressed.run.counters.rowsRejected == manifest.expectedRejectedRows)
        #expect(compressed.run.counters.rejectedByReason == manifest.expectedRejections)
        #expect(compressed.run.counters == plain.run.counters)
        let table = gzipSpec.target.description
        #expect(try await environment.scalar("SELECT count(*) FROM \(table)") == compressed.run.counters.rowsAccepted)
        #expect(try await environment.scalar("SELECT count(DISTINCT source_line) FROM \(table)") == compressed.run.counters.rowsAccepted)
        // Offsets are decompressed offsets, so every loaded row and rejection is identical,
        // offsets and raw bytes included.
        let expected = try await digests(table: plainSpec.target.description, runID: plain.run.idText)
        #expect(try await digests(table: table, runID: compressed.run.idText) == expected)
    }

    @Test(arguments: [(false, true), (true, false), (true, true)])
    func aUTF16OrGzippedUTF16FileLoadsLikeItsUTF8Original(gzip: Bool, utf16: Bool) async throws {
        let plainPath = IntegrationEnvironment.path("Samples/debtors-1k-semicolon.csv")
        let path = try Self.temporaryDirectory().appendingPathComponent("debtors-1k.csv" + (gzip ? ".gz" : "")).path
        try Self.compress(plainPath, to: path, members: 2, utf16: utf16, gzip: gzip)
        let plainSpec = try environment.pipeline(batchSize: 100)
        let spec = try environment.pipeline(batchSize: 100)
        let plain = try await environment.runner().run(plainSpec, input: plainPath)
        let converted = try await environment.runner().run(spec, input: path)
        #expect(converted.run.status == .completed)
        #expect(converted.run.counters == plain.run.counters)
        let expected = try await digests(table: plainSpec.target.description, runID: plain.run.idText)
        #expect(try await digests(table: spec.target.description, runID: converted.run.idText) == expected)
    }

    @Test func aGzipRunKilledWithSIGKILLResumesToEveryRowExactlyOnce() async throws {
        let directory = try Self.temporaryDirectory()
        let plainPath = directory.appendingPathComponent("debtors.csv").path
        let manifest = try IntegrationEnvironment.generate(rows: 60_000, seed: 21, to: plainPath)
        let gzipPath = plainPath + ".gz"
        // Three members: resumes land before, inside and after member boundaries.
        try Self.compress(plainPath, to: gzipPath, members: 3)
        let input = try await environment.upload(gzipPath, key: "it/\(UUID())/debtors-60000.csv.gz")
        let pipeline = try IntegrationEnvironment.pipelineFile("gzresume", in: directory.path)
        let (name, pipelinePath, table) = (pipeline.name, pipeline.path, pipeline.table)
        let binary = try IntegrationEnvironment.sluiceBinary()

        func start() throws -> Process {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = ["run", pipelinePath, "--input", input, "--batch-size", "250", "--no-progress", "--json"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            return process
        }
        func committedBatches() async throws -> Int64 {
            try await environment.committedBatches(pipeline: name)
        }

        let totalBatches = Int64((manifest.rows + 249) / 250)
        var kills = 0
        for threshold in [3, totalBatches / 3, (2 * totalBatches) / 3] {
            let process = try start()
            let deadline = ContinuousClock.now + .seconds(120)
            while process.isRunning, ContinuousClock.now < deadline, try await committedBatches() < threshold {
                try await Task.sleep(for: .milliseconds(5))
            }
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                kills += 1
            }
            process.waitUntilExit()
        }
        #expect(kills >= 2, "the run finished before it could be killed; make the file larger")
        #expect(try await committedBatches() < totalBatches)

        let final = try start()
        final.waitUntilExit()
        #expect(final.terminationStatus == 0)
        #expect(try await committedBatches() == totalBatches)
        let run = "pipeline = '\(name)'"
        #expect(try await environment.scalar("SELECT attempts FROM sluice.runs WHERE \(run)") == Int64(kills + 1))
        #expect(try await environment.scalar("SELECT count(*) FROM sluice.runs WHERE \(run) AND status = 'completed'") == 1)

        let accepted = Int64(manifest.rows) - manifest.expectedRejectedRows
        let runID = "(SELECT id FROM sluice.runs WHERE \(run))"
        #expect(try await environment.scalar("SELECT count(*) FROM \(table)") == accepted)
        #expect(try await environment.scalar("SELECT count(DISTINCT source_line) FROM \(table)") == accepted)
        #expect(try await environment.scalar("SELECT count(DISTINCT source_offset) FROM \(table)") == accepted)
        #expect(try await environment.scalar("SELECT count(*) FROM sluice.rejections WHERE run_id = \(runID)") == manifest.expectedRejectedRows)
        #expect(try await environment.scalar("SELECT count(DISTINCT line) FROM sluice.rejections WHERE run_id = \(runID)") == manifest.expectedRejectedRows)
        #expect(try await environment.scalar("SELECT rows_read FROM sluice.runs WHERE \(run)") == Int64(manifest.rows))
        // Offsets are offsets in the decompressed file: the last one lies inside it.
        let plainSize = Int64(try Data(contentsOf: URL(fileURLWithPath: plainPath)).count)
        let gzipSize = Int64(try Data(contentsOf: URL(fileURLWithPath: gzipPath)).count)
        let lastOffset = try await environment.scalar("SELECT max(source_offset) FROM \(table)")
        #expect(lastOffset < plainSize)
        #expect(lastOffset > gzipSize)
    }
}
