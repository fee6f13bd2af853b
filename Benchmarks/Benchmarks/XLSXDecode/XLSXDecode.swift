import Benchmark
import SluiceBenchmarkInputs
import SluiceCore
import SluiceFormats

// Stage 1 of an XLSX load: workbook bytes → RecordBatches (zip directory, inflate, libxml2
// SAX, cells into the arena), on one core, from memory.
//
// Input: scripts/generate_xlsx_bench.py, 100,000 rows × 14 columns, generated once into the
// temporary folder: with inline strings (xlsxwriter's constant-memory mode) and with a shared
// strings table (libxlsxwriter, as Excel writes). Each iteration decodes the whole sheet.

struct WorkbookInput: Sendable {
    let bytes: [UInt8]

    init(_ storage: DebtorFile.StringStorage) throws {
        bytes = try DebtorFile.xlsx(storage).bytes
    }

    func decode(_ benchmark: Benchmark) async {
        let timer = StageTimer()
        var rows = 0
        do {
            let source = MemoryByteSource(bytes: bytes, name: "debtors.xlsx", chunkSize: 1 << 18)
            var decoder = XLSXDecoder(source: source, object: try await source.describe(), batchRows: 16_384)
            _ = try await decoder.readHeader()
            while let batch = try await decoder.nextBatch() {
                rows += batch.rowCount
                blackHole(batch)
            }
        } catch {
            benchmark.error("decoding failed: \(error)")
            return
        }
        timer.record(benchmark, rows: rows)
    }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = StageMetrics.configuration()

    Benchmark("XLSXDecoder, inline strings") { benchmark, workbook in
        await workbook.decode(benchmark)
    } setup: {
        try WorkbookInput(.inline)
    }

    Benchmark("XLSXDecoder, shared strings") { benchmark, workbook in
        await workbook.decode(benchmark)
    } setup: {
        try WorkbookInput(.shared)
    }
}
