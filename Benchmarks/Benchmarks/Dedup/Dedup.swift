import Benchmark
import SluiceBenchmarkInputs
import SluiceCore
import SluiceStages

// The `dedup` stage over validated batches, on one core, with the default key of
// pipelines/debtors.yaml (iban, amount, external_id). Each iteration starts with an empty
// fingerprint table (a new stage) and keys every accepted row of the 400,000, so the
// table's growth is part of the cost, as in a run. Input: the rows of the CSVDecode suite,
// mapped and validated in setup.

let keyColumns = ["iban", "amount", "external_id"]

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = StageMetrics.configuration()

    Benchmark("DedupStage (iban, amount, external_id)") { benchmark, batches in
        var work = batches.detached()
        let stage: DedupStage
        do {
            stage = try DedupStage(keyColumns: keyColumns, columns: debtorColumnNames)
        } catch {
            benchmark.error("\(error)")
            return
        }
        let accepted = work.acceptedCount
        benchmark.startMeasurement()
        let timer = StageTimer()
        for index in work.indices {
            stage.deduplicate(&work[index])
        }
        timer.record(benchmark, rows: accepted)
        benchmark.stopMeasurement()
        blackHole(work)
    } setup: { () async throws -> [RecordBatch] in
        let batches = try await DebtorBatches.load().validated()
        var work = batches.detached()
        let stage = try DedupStage(keyColumns: keyColumns, columns: debtorColumnNames)
        for index in work.indices { stage.deduplicate(&work[index]) }
        note("Dedup input: \(batches.acceptedCount) accepted rows keyed; \(stage.distinctKeys) distinct keys, "
            + "\(batches.acceptedCount - work.acceptedCount) duplicates, table \(stage.memoryBytes / 1_000_000) MB")
        return batches
    }
}
