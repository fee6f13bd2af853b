import Benchmark
import Foundation
import SluiceCore
import SluiceFormats
import SluiceValidation

// IBAN validations per second on one core (target ≥ 20 million/s; schwifty does about
// 83 thousand/s and python-stdnum about 23 thousand/s here), on two inputs:
//
// - every country: 1,000,000 IBANs, the registry example of every country repeated, so each
//   country's length, structure and national check is exercised, one in ten with a digit
//   changed so the failure paths count too;
// - debtor file mix: the IBAN column of a generated debtor file (400,000 rows).
//
// Each iteration validates all of them with `IBANValidator.validate(_:)` on byte spans, as
// the stage does.

let ibanMetric = BenchmarkMetric.custom("M IBAN/s", polarity: .prefersLarger, useScalingFactor: false)

struct IBANCorpus: Sendable {
    let bytes: [UInt8]
    let starts: [Int]
    let ends: [Int]

    static func make(count: Int) -> IBANCorpus {
        let examples = IBANRegistry.countries.compactMap { $0.example }.map { Array($0.utf8) }
        var bytes: [UInt8] = []
        var starts: [Int] = []
        var ends: [Int] = []
        for index in 0..<count {
            var iban = examples[index % examples.count]
            if index % 10 == 9 {
                // One digit changed: mod 97 catches it.
                let position = iban.count - 1 - (index / 10) % 8
                if iban[position] >= UInt8(ascii: "0") && iban[position] <= UInt8(ascii: "9") {
                    iban[position] = UInt8(ascii: "0") + (iban[position] - UInt8(ascii: "0") + 1) % 10
                }
            }
            starts.append(bytes.count)
            bytes.append(contentsOf: iban)
            ends.append(bytes.count)
        }
        return IBANCorpus(bytes: bytes, starts: starts, ends: ends)
    }

    /// The IBAN column of a generated debtor file (scripts/generate_debtors.py, 400,000 rows,
    /// seed 7): the mix real files have, with ~5% injected defects and some printed forms.
    static func debtorFile() async throws -> IBANCorpus {
        let path = NSTemporaryDirectory() + "sluice-bench-debtors-400000-seed7.csv"
        if !FileManager.default.fileExists(atPath: path) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", "../scripts/generate_debtors.py", "--rows", "400000", "--seed", "7", "--output", path]
            try process.run()
            process.waitUntilExit()
        }
        let source = MemoryByteSource(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        var decoder = CSVDecoder(source: source, object: try await source.describe())
        let header = try await decoder.readHeader()
        guard let column = header.fields.firstIndex(of: "iban") else { throw CocoaError(.fileReadCorruptFile) }
        var bytes: [UInt8] = []
        var starts: [Int] = []
        var ends: [Int] = []
        while let batch = try await decoder.nextBatch() {
            for row in 0..<batch.rowCount where column < batch.fieldCount(ofRow: row) {
                starts.append(bytes.count)
                bytes.append(contentsOf: batch.arena[batch.fieldSpan(row: row, field: column)])
                ends.append(bytes.count)
            }
        }
        return IBANCorpus(bytes: bytes, starts: starts, ends: ends)
    }

    /// Validates every IBAN once and records validations per second.
    func measure(_ benchmark: Benchmark) {
        let started = ContinuousClock.now
        var valid = 0
        bytes.withUnsafeBufferPointer { buffer in
            for index in starts.indices {
                let span = UnsafeBufferPointer(rebasing: buffer[starts[index]..<ends[index]])
                if IBANValidator.validate(span).isValid { valid += 1 }
            }
        }
        blackHole(valid)
        let (seconds, attoseconds) = (ContinuousClock.now - started).components
        let total = Double(seconds) + Double(attoseconds) / 1e18
        benchmark.measurement(ibanMetric, Int((Double(starts.count) / total / 1e6).rounded()))
    }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .throughput, .mallocCountTotal, ibanMetric],
        timeUnits: .milliseconds,
        warmupIterations: 1,
        maxDuration: .seconds(10),
        maxIterations: 20
    )

    Benchmark("IBANValidator.validate, every country") { benchmark, corpus in
        corpus.measure(benchmark)
    } setup: {
        IBANCorpus.make(count: 1_000_000)
    }

    Benchmark("IBANValidator.validate, debtor file mix") { benchmark, corpus in
        corpus.measure(benchmark)
    } setup: {
        try await IBANCorpus.debtorFile()
    }
}
