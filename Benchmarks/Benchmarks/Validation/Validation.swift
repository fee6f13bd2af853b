import Benchmark
import SluiceBenchmarkInputs
import SluiceCore
import SluiceValidation

// The `map`, `validate` and `cast` stages over decoded batches, on one core.
//
// Input: the 400,000 rows of the CSVDecode suite, decoded once in setup (16,384 rows per
// batch). Columns: those of pipelines/debtors.yaml; validation rules: the defaults, as that
// pipeline has no `validation:` section. Each iteration runs the stage over every batch. The
// stages write into their batches, so each iteration first takes copies that own their
// buffers, outside the measured part.

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = StageMetrics.configuration()

    Benchmark("ColumnMapper.map") { benchmark, input in
        var batches = input.decoded.detached()
        benchmark.startMeasurement()
        let timer = StageTimer()
        for index in batches.indices {
            input.mapper.map(&batches[index])
        }
        timer.record(benchmark, rows: batches.rowCount)
        benchmark.stopMeasurement()
        blackHole(batches)
    } setup: {
        try await DebtorBatches.load()
    }

    Benchmark("ValidationStage.validate") { benchmark, input in
        var batches = input.mapped.detached()
        benchmark.startMeasurement()
        let timer = StageTimer()
        do {
            for index in batches.indices {
                try input.batches.validation.validate(&batches[index])
            }
        } catch {
            benchmark.error("validation failed: \(error)")
            return
        }
        timer.record(benchmark, rows: batches.rowCount)
        benchmark.stopMeasurement()
        blackHole(batches)
    } setup: { () async throws -> MappedInput in
        let batches = try await DebtorBatches.load()
        return MappedInput(batches: batches, mapped: batches.mapped())
    }

    // The types of pipelines/debtors.yaml (email, iban, bic, amount numeric(12,2),
    // mandate_date date) over validated batches, as a run meets them.
    Benchmark("TypeCastStage.cast") { benchmark, input in
        var batches = input.mapped.detached()
        benchmark.startMeasurement()
        let timer = StageTimer()
        do {
            for index in batches.indices {
                try input.batches.typeCast.cast(&batches[index])
            }
        } catch {
            benchmark.error("cast failed: \(error)")
            return
        }
        timer.record(benchmark, rows: batches.rowCount)
        benchmark.stopMeasurement()
        blackHole(batches)
    } setup: { () async throws -> MappedInput in
        let batches = try await DebtorBatches.load()
        return MappedInput(batches: batches, mapped: try batches.validated())
    }
}

struct MappedInput: Sendable {
    let batches: DebtorBatches
    /// The stage's input: mapped batches (for `validate`), or validated ones (for `cast`).
    let mapped: [RecordBatch]
}
