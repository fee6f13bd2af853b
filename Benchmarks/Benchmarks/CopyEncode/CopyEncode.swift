import Benchmark
import Foundation
import NIOCore
import SluiceBenchmarkInputs
import SluiceCore
import SluicePostgres

// The last CPU step before PostgreSQL: batches → COPY data (binary for accepted rows, text for
// rejections), on one core.
//
// Input: the 400,000 rows of the CSVDecode suite, mapped and validated in setup (about 9% of
// them rejected by the generator's defects). `encodeAccepted` writes the accepted rows with
// the lineage columns and, with `keep_raw: true` (no longer the shipped pipeline's setting), the raw record;
// `encodeRejected` writes one `sluice.rejections` row per reason. MB/s counts COPY bytes written.

struct EncodeInput: Sendable {
    let batches: [RecordBatch]
    let accepted: Int
    let rejections: Int

    static func make(cast: Bool = false) async throws -> EncodeInput {
        let input = try await DebtorBatches.load()
        let batches = cast ? try input.cast() : try input.validated()
        return EncodeInput(batches: batches, accepted: batches.acceptedCount, rejections: batches.reduce(0) { $0 + $1.rejections.count })
    }
}

let runID = UUID(uuidString: "00000000-0000-4000-8000-000000000000")!

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = StageMetrics.configuration(bytes: true)

    for keepRaw in [true, false] {
        Benchmark("CopyEncoder.encodeAccepted, keep_raw: \(keepRaw)") { benchmark, input in
            let encoder = CopyEncoder(runID: runID, columns: debtorColumnNames, keepRaw: keepRaw)
            let timer = StageTimer()
            var bytes = 0
            for batch in input.batches {
                let buffer = try encoder.encodeAccepted(batch)
                bytes += buffer.readableBytes
                blackHole(buffer)
            }
            timer.record(benchmark, rows: input.accepted, bytes: bytes)
        } setup: {
            try await EncodeInput.make()
        }
    }

    // The shipped pipeline's typed columns (amount numeric, mandate_date date) in their binary
    // forms, from batches the cast stage went over; keep_raw: false, as that pipeline has.
    Benchmark("CopyEncoder.encodeAccepted, typed") { benchmark, input in
        let encoder = CopyEncoder(runID: runID, columns: debtorColumns, keepRaw: false)
        let timer = StageTimer()
        var bytes = 0
        for batch in input.batches {
            let buffer = try encoder.encodeAccepted(batch)
            bytes += buffer.readableBytes
            blackHole(buffer)
        }
        timer.record(benchmark, rows: input.accepted, bytes: bytes)
    } setup: {
        try await EncodeInput.make(cast: true)
    }

    Benchmark("CopyEncoder.encodeRejected") { benchmark, input in
        let encoder = CopyEncoder(runID: runID, columns: debtorColumnNames)
        let timer = StageTimer()
        var bytes = 0
        for batch in input.batches {
            let buffer = encoder.encodeRejected(batch)
            bytes += buffer.readableBytes
            blackHole(buffer)
        }
        // Rows written: one per rejection reason.
        timer.record(benchmark, rows: input.rejections, bytes: bytes)
    } setup: {
        try await EncodeInput.make()
    }
}
