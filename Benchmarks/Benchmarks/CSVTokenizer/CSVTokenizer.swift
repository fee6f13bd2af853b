import Benchmark
import Foundation
import NIOCore
import SluiceCore
import SluiceFormats
import SluicePostgres

// The CPU side of a CSV load, on one core, over a realistic file held in memory:
//
// - `CSVDecoder`: bytes → RecordBatches (the tokenizer; target ≥ 500 MB/s);
// - `CSVDecoder+ColumnMapper+CopyEncoder`: everything a run does per batch before the bytes
//   go to Postgres.
//
// The input is the debtor generator's output (scripts/generate_debtors.py): 400k rows,
// about 64 MB, generated once into the system's temporary folder and reused. Set
// SLUICE_BENCH_CSV to a CSV file to measure another input instead.
//
// Each iteration decodes the whole buffer. The `MB/s` metric is input bytes (10^6) divided
// by the iteration's wall time; `throughput` is iterations per second.

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .throughput, .peakMemoryResident, .mallocCountTotal, megabytesPerSecond],
        timeUnits: .milliseconds,
        warmupIterations: 1,
        maxDuration: .seconds(20),
        maxIterations: 15
    )

    Benchmark("CSVDecoder") { benchmark, input in
        let started = ContinuousClock.now
        var rows = 0
        do {
            var decoder = try await input.decoder()
            _ = try await decoder.readHeader()
            while let batch = try await decoder.nextBatch() {
                rows += batch.rowCount
                blackHole(batch.rowCount)
            }
        } catch {
            benchmark.error("decoding failed: \(error)")
            return
        }
        input.record(benchmark, started: started, rows: rows)
    } setup: {
        try BenchmarkInput.load()
    }

    Benchmark("CSVDecoder+ColumnMapper+CopyEncoder") { benchmark, input in
        let started = ContinuousClock.now
        var rows = 0
        do {
            var decoder = try await input.decoder()
            let header = try await decoder.readHeader()
            let mapper = ColumnMapper(mapping: try ColumnMapping(header: header.fields, columns: debtorColumns))
            let encoder = CopyEncoder(runID: UUID(uuidString: "00000000-0000-4000-8000-000000000000")!, columns: debtorColumns.map(\.name))
            while var batch = try await decoder.nextBatch() {
                mapper.map(&batch)
                let copy = try encoder.encodeAccepted(batch)
                rows += batch.rowCount
                blackHole(copy.readableBytes)
            }
        } catch {
            benchmark.error("decoding failed: \(error)")
            return
        }
        input.record(benchmark, started: started, rows: rows)
    } setup: {
        try BenchmarkInput.load()
    }
}

/// Input megabytes (10^6 bytes) per second of wall time, one value per iteration.
let megabytesPerSecond = BenchmarkMetric.custom("MB/s", polarity: .prefersLarger, useScalingFactor: false)

/// The columns of pipelines/debtors.yaml, which the benchmark does not read to stay clear of
/// the YAML and pipeline modules. Only names and `required` matter here: the file's header
/// uses the canonical names.
let debtorColumns: [ColumnSpec] = [
    ColumnSpec(name: "external_id", required: true),
    ColumnSpec(name: "first_name"),
    ColumnSpec(name: "last_name"),
    ColumnSpec(name: "email"),
    ColumnSpec(name: "iban", required: true),
    ColumnSpec(name: "bic"),
    ColumnSpec(name: "amount", required: true),
    ColumnSpec(name: "currency"),
    ColumnSpec(name: "mandate_id"),
    ColumnSpec(name: "mandate_date"),
    ColumnSpec(name: "address"),
    ColumnSpec(name: "city"),
    ColumnSpec(name: "postcode"),
    ColumnSpec(name: "country"),
]

/// The CSV bytes every iteration decodes, loaded once in setup (not measured).
struct BenchmarkInput: Sendable {
    let bytes: [UInt8]
    let name: String

    static let rows = 400_000
    static let seed = 7

    static func load() throws -> BenchmarkInput {
        let path: String
        if let override = ProcessInfo.processInfo.environment["SLUICE_BENCH_CSV"], !override.isEmpty {
            path = override
        } else {
            path = try generated()
        }
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let bytes = [UInt8](data)
        FileHandle.standardError.write(Data("CSVTokenizer input: \(path), \(bytes.count) bytes\n".utf8))
        return BenchmarkInput(bytes: bytes, name: (path as NSString).lastPathComponent)
    }

    /// The generator's output for `rows` and `seed`, created on first use.
    static func generated() throws -> String {
        let path = NSTemporaryDirectory() + "sluice-bench-debtors-\(rows)-seed\(seed).csv"
        if FileManager.default.fileExists(atPath: path) { return path }
        let script = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()  // CSVTokenizer
            .deletingLastPathComponent()  // Benchmarks (targets)
            .deletingLastPathComponent()  // Benchmarks (package)
            .deletingLastPathComponent()  // repository
            .appendingPathComponent("scripts/generate_debtors.py").path
        let partial = path + ".partial"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, "--rows", "\(rows)", "--seed", "\(seed)", "--output", partial]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BenchmarkSetupError(message: "\(script) exited with \(process.terminationStatus)")
        }
        try FileManager.default.moveItem(atPath: partial, toPath: path)
        return path
    }

    func decoder() async throws -> CSVDecoder {
        let source = MemoryByteSource(bytes: bytes, name: name, chunkSize: 1 << 18)
        return CSVDecoder(source: source, object: try await source.describe(), dialect: CSVDialect(), batchRows: 16_384)
    }

    func record(_ benchmark: Benchmark, started: ContinuousClock.Instant, rows: Int) {
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        guard rows > 0, seconds > 0 else {
            benchmark.error("no rows decoded")
            return
        }
        benchmark.measurement(megabytesPerSecond, Int((Double(bytes.count) / 1e6 / seconds).rounded()))
    }
}

struct BenchmarkSetupError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
