import Benchmark
import SluiceBenchmarkInputs
import SluiceCore
import SluiceFormats

// Stage 1 of a CSV load: bytes → RecordBatches, on one core, from memory.
//
// Input: scripts/generate_debtors.py, 400,000 rows, seed 7 (≈ 64 MB), read through a
// MemoryByteSource in 256 KiB chunks, 16,384 rows per batch: what `sluice run` does for a
// local CSV file, without the disk. Each iteration decodes the whole file.

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = StageMetrics.configuration(bytes: true)

    Benchmark("CSVDecoder") { benchmark, bytes in
        let timer = StageTimer()
        var rows = 0
        do {
            let source = MemoryByteSource(bytes: bytes, name: "debtors.csv", chunkSize: 1 << 18)
            var decoder = CSVDecoder(source: source, object: try await source.describe(), dialect: CSVDialect(), batchRows: 16_384)
            _ = try await decoder.readHeader()
            while let batch = try await decoder.nextBatch() {
                rows += batch.rowCount
                blackHole(batch)
            }
        } catch {
            benchmark.error("decoding failed: \(error)")
            return
        }
        timer.record(benchmark, rows: rows, bytes: bytes.count)
    } setup: {
        try DebtorFile.csv().bytes
    }
}
