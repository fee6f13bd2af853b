import Benchmark
import SluiceBenchmarkInputs
import SluiceCore
import SluiceStages

// The `screen` stage over validated batches, on one core, with an in-memory blacklist of
// 100,000 entries shaped like `make bench-screening`'s (scripts/seed_screening.py): the IBAN
// of every 400th row, the e-mail of every 400th (offset 350), the name of every 20,000th, a
// BIC prefix nobody has, and random IBAN hashes (70%), names, e-mails and BICs to fill up.
// The entries go through `BlacklistKind.normalize` and `BlacklistIndex.add`, as
// `BlacklistStore.loadIndex` builds the index from the table.
//
// No billing history: `AttemptHistory` needs a PostgreSQL connection, so the chargeback and
// cooldown checks are skipped (in a run they cost one query per batch for the few IBANs the
// history filter flags). Input: the 400,000 rows of the CSVDecode suite, mapped and
// validated in setup; each iteration screens copies of every batch.

struct ScreeningInput: Sendable {
    let batches: [RecordBatch]
    let stage: ScreeningStage

    /// The same batches with an empty blacklist: what screening costs a run whose blacklist
    /// has no entries (the IBAN digests are still computed for every row).
    var withEmptyBlacklist: ScreeningInput {
        ScreeningInput(batches: batches, stage: ScreeningStage(columns: debtorColumnNames, rules: ScreeningRules(), index: BlacklistIndex(), history: nil))
    }

    /// Screens copies of every batch, timing only the stage.
    func measure(_ benchmark: Benchmark) async {
        var batches = batches.detached()
        // Rows screened: the accepted ones; rows already rejected are skipped.
        let accepted = batches.acceptedCount
        benchmark.startMeasurement()
        let timer = StageTimer()
        do {
            for index in batches.indices {
                try await stage.process(&batches[index])
            }
        } catch {
            benchmark.error("screening failed: \(error)")
            return
        }
        timer.record(benchmark, rows: accepted)
        benchmark.stopMeasurement()
        blackHole(batches)
    }

    static let entries = 100_000

    static func make() async throws -> ScreeningInput {
        let batches = try await DebtorBatches.load().validated()
        var index = BlacklistIndex()
        var added = 0
        func add(_ kind: BlacklistKind, _ value: String) {
            guard let key = try? kind.normalize(value).key else { return }
            let before = index.count
            index.add(kind: kind, key: key)
            added += index.count - before
        }
        let columns = debtorColumnNames
        let iban = columns.firstIndex(of: "iban")!, email = columns.firstIndex(of: "email")!
        let first = columns.firstIndex(of: "first_name")!, last = columns.firstIndex(of: "last_name")!
        for batch in batches {
            func text(_ row: Int, _ column: Int) -> String {
                String(decoding: batch.arena[batch.valueSpan(row: row, column: column)], as: UTF8.self)
            }
            for row in 0..<batch.rowCount where batch.status[row] == .accepted {
                let line = Int(batch.lines[row]) - 1  // data rows from 1, as the seeding script counts
                if line % 400 == 0 {
                    add(.iban, text(row, iban))
                } else if line % 400 == 350 {
                    add(.email, text(row, email))
                } else if line % 20_000 == 300 {
                    add(.name, text(row, first) + " " + text(row, last))
                }
            }
        }
        add(.bicPrefix, "QQQQ")
        var filler = 0
        while added < entries {
            filler += 1
            switch filler % 10 {
            case 0..<7:
                // A digest nobody's IBAN has; normalize takes `sha256:<hex>` as it is.
                add(.iban, "sha256:" + IBANDigest(iban: "random-\(filler)").hex)
            case 7: add(.name, "nobody \(filler)")
            case 8: add(.email, "nobody\(filler)@blocked.example")
            default:
                let digits = String(filler % 100_000)
                add(.bic, "ZZZZDE" + String(repeating: "0", count: 5 - digits.count) + digits)
            }
        }
        let stage = ScreeningStage(columns: columns, rules: ScreeningRules(), index: index, history: nil)
        return ScreeningInput(batches: batches, stage: stage)
    }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = StageMetrics.configuration()

    Benchmark("ScreeningStage, 100k-entry blacklist") { benchmark, input in
        await input.measure(benchmark)
    } setup: { () async throws -> ScreeningInput in
        let input = try await ScreeningInput.make()
        var screened = input.batches.detached()
        for index in screened.indices { try await input.stage.process(&screened[index]) }
        note("Screening input: \(input.batches.rowCount) rows, \(input.batches.acceptedCount) accepted after validation, "
            + "\(input.stage.index.count) blacklist entries; screening holds back \(input.batches.acceptedCount - screened.acceptedCount)")
        return input
    }

    Benchmark("ScreeningStage, empty blacklist") { benchmark, input in
        await input.measure(benchmark)
    } setup: {
        try await ScreeningInput.make().withEmptyBlacklist
    }
}
