import SluiceCore
import SluiceStages
import Synchronization

/// The payee-verification stage: asks a `PayeeVerifier` about each accepted row and applies
/// the `VOPPolicy` to the answer.
///
/// Per batch: rows already rejected are skipped; the sampled rows are grouped by (IBAN,
/// normalised name) so duplicates share one call; the calls run in a task group with at most
/// `maxCallsInFlight` in flight, each taking a token from the bucket and a permit from the
/// breaker first (an open breaker makes the outcome `unavailable` without a call). Rows are
/// then accepted, rejected or flagged in their order. The breaker and the bucket are shared by
/// all batches, behind one `Mutex`.
///
/// TODO: the `vop_results` cache and the daily budget (issue 12), and the `vop:` pipeline section.
public final class VOPStage: Stage {
    public var name: StageName { "vop" }

    public let configuration: VOPStageConfiguration
    private let verifier: any PayeeVerifier
    private let ibanColumn: Int?
    private let nameColumns: (first: Int?, last: Int?, full: Int?)
    private let state: Mutex<State>

    struct State {
        var breaker: CircuitBreaker
        var bucket: TokenBucket?
        var stats = VOPStageStats()
    }

    /// - Parameters:
    ///   - columns: the pipeline's canonical columns, in value-table order. Without the IBAN
    ///     column or any name column, no row is verified.
    ///   - verifier: the provider client (`EPCVOPClient`, `BAVClient`).
    public init(columns: [String], verifier: any PayeeVerifier, configuration: VOPStageConfiguration = VOPStageConfiguration()) {
        self.configuration = configuration
        self.verifier = verifier
        ibanColumn = columns.firstIndex(of: configuration.ibanColumn)
        switch configuration.nameColumns {
        case .firstAndLast(let first, let last, let fallback):
            nameColumns = (columns.firstIndex(of: first), columns.firstIndex(of: last), fallback.flatMap { columns.firstIndex(of: $0) })
        case .single(let full):
            nameColumns = (nil, nil, columns.firstIndex(of: full))
        }
        let bucket = configuration.ratePerSecond.flatMap { rate in
            rate > 0 && rate.isFinite ? TokenBucket(ratePerSecond: rate, burst: configuration.burst) : nil
        }
        state = Mutex(State(breaker: CircuitBreaker(configuration: configuration.breaker), bucket: bucket))
    }

    /// What the stage has done so far, across batches.
    public var stats: VOPStageStats { state.withLock { $0.stats } }

    /// The breaker's state now, for logs and tests.
    public var breakerState: CircuitBreaker.State { state.withLock { $0.breaker.state } }

    /// One distinct payee of a batch and the rows that carry it.
    struct Call: Sendable {
        var request: PayeeVerificationRequest
        var rows: [Int]
    }

    /// How one call ended.
    struct Result: Sendable {
        var outcome: PayeeVerificationOutcome
        var matchedName: String?
        var paused = false
    }

    struct Key: Hashable {
        var iban: String
        var name: String
    }

    public func process(_ batch: inout RecordBatch) async throws {
        guard batch.columnCount > 0 else { return }
        let calls = self.calls(in: batch)
        var results = [Result?](repeating: nil, count: calls.count)
        let limit = configuration.maxCallsInFlight
        try await withThrowingTaskGroup(of: (Int, Result).self) { group in
            var next = 0
            func addCall() {
                let index = next
                let request = calls[index].request
                group.addTask { (index, try await self.verify(request)) }
                next += 1
            }
            while next < min(limit, calls.count) { addCall() }
            while let (index, result) = try await group.next() {
                results[index] = result
                if next < calls.count { addCall() }
            }
        }
        apply(results.map { $0! }, of: calls, to: &batch)
    }

    /// The distinct payees of the batch's accepted, sampled rows, in the order of their first row.
    func calls(in batch: RecordBatch) -> [Call] {
        var calls: [Call] = []
        var indexByKey: [Key: Int] = [:]
        var notVerified = 0
        var duplicates = 0
        for row in 0..<batch.rowCount where batch.status[row] == .accepted {
            guard let iban = ibanColumn.map({ Self.compact(batch.string(row: row, column: $0)) }), !iban.isEmpty,
                  let name = payeeName(of: row, in: batch), Self.isSampled(iban: iban, percentage: configuration.samplingPercentage)
            else {
                notVerified += 1
                continue
            }
            let key = Key(iban: iban, name: Self.normalised(name))
            if let index = indexByKey[key] {
                calls[index].rows.append(row)
                duplicates += 1
            } else {
                indexByKey[key] = calls.count
                calls.append(Call(request: PayeeVerificationRequest(iban: iban, name: name, accountType: configuration.accountType), rows: [row]))
            }
        }
        state.withLock {
            $0.stats.notVerified += notVerified
            $0.stats.inBatchDuplicates += duplicates
        }
        return calls
    }

    /// The payee's name: first and last joined, else the full-name column; `nil` when empty.
    func payeeName(of row: Int, in batch: RecordBatch) -> String? {
        let first = nameColumns.first.map { batch.string(row: row, column: $0) } ?? ""
        let last = nameColumns.last.map { batch.string(row: row, column: $0) } ?? ""
        var name = [first, last].filter { !$0.isEmpty }.joined(separator: " ")
        if name.isEmpty, let full = nameColumns.full { name = batch.string(row: row, column: full) }
        let trimmed = name.trimmingCharacters(in: \.isWhitespace)
        return trimmed.isEmpty ? nil : trimmed
    }

    /// Verifies one payee; under the `pause` policy, waits for the breaker and retries an
    /// unavailable answer until `maxPause` has passed.
    func verify(_ request: PayeeVerificationRequest) async throws -> Result {
        var result = try await verifyOnce(request)
        guard configuration.policy.unavailable == .pause, result.outcome == .unavailable else { return result }
        let clock = ContinuousClock()
        let deadline = clock.now + configuration.maxPause
        state.withLock { $0.stats.pausedRows += 1 }
        while result.outcome == .unavailable {
            let now = clock.now
            guard now < deadline else { break }
            // Wait for the breaker's cool-down when it is open; a failed call with the breaker
            // still closed is retried after a second, so a failing provider is not hammered.
            let wait = state.withLock { state -> Duration in
                if case .open(let until) = state.breaker.state { return now.duration(to: until) }
                return .seconds(1)
            }
            try await Task.sleep(for: min(max(wait, .milliseconds(1)), now.duration(to: deadline)))
            guard clock.now < deadline else { break }
            result = try await verifyOnce(request)
        }
        result.paused = true
        return result
    }

    /// One call: a token from the bucket, a permit from the breaker, the provider's answer.
    func verifyOnce(_ request: PayeeVerificationRequest) async throws -> Result {
        let clock = ContinuousClock()
        while true {
            let wait: Duration? = state.withLock { state in
                guard var bucket = state.bucket else { return nil }
                defer { state.bucket = bucket }
                switch bucket.take(at: clock.now) {
                case .granted: return nil
                case .wait(let wait): return wait
                }
            }
            guard let wait else { break }
            try await Task.sleep(for: wait)
        }
        let permit = state.withLock { state -> CircuitBreaker.Permit in
            let permit = state.breaker.permit(at: clock.now)
            if case .rejected = permit {
                state.stats.breakerRejections += 1
            } else {
                state.stats.calls += 1
            }
            return permit
        }
        if case .rejected = permit { return Result(outcome: .unavailable) }
        do {
            let answer = try await verifier.verify(request)
            state.withLock {
                _ = $0.breaker.record(.success, at: clock.now)
                $0.stats.totalLatency += answer.providerLatency
            }
            var matchedName = answer.matchedName
            if case .closeMatch(let name) = answer.outcome, matchedName == nil { matchedName = name }
            return Result(outcome: answer.outcome, matchedName: matchedName)
        } catch let error as PayeeVerifierError {
            // A refused request (a 4xx other than 429) is our fault, not the provider's: the
            // provider answered, which is what the breaker tracks.
            let result: CircuitBreaker.CallResult = error.failure.countsAgainstProvider ? .failure : .success
            state.withLock {
                _ = $0.breaker.record(result, at: clock.now)
                $0.stats.failures += 1
            }
            return Result(outcome: .unavailable)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            state.withLock {
                _ = $0.breaker.record(.failure, at: clock.now)
                $0.stats.failures += 1
            }
            return Result(outcome: .unavailable)
        }
    }

    /// Applies the policy to every verified row, in row order.
    func apply(_ results: [Result], of calls: [Call], to batch: inout RecordBatch) {
        var perRow: [(row: Int, result: Result)] = []
        for (call, result) in zip(calls, results) {
            for row in call.rows { perRow.append((row, result)) }
        }
        perRow.sort { $0.row < $1.row }
        var stats = VOPStageStats()
        let column = nameColumnName
        for (row, result) in perRow {
            switch result.outcome {
            case .match: stats.matches += 1
            case .closeMatch: stats.closeMatches += 1
            case .noMatch: stats.noMatches += 1
            case .notPossible: stats.notPossible += 1
            case .unavailable: stats.unavailable += 1
            }
            let message = Self.message(for: result)
            switch configuration.policy.decision(for: result.outcome) {
            case .accept:
                break
            case .reject(let code):
                batch.reject(row: row, code: code, message: message, column: column)
            case .flag(let code):
                batch.flag(row: row, code: code, message: message, column: column)
            case .pause:
                // The pause ran out (`maxPause`) without an answer: the row is flagged for review.
                batch.flag(row: row, code: .vopUnavailable, message: message, column: column)
            }
        }
        state.withLock {
            $0.stats.matches += stats.matches
            $0.stats.closeMatches += stats.closeMatches
            $0.stats.noMatches += stats.noMatches
            $0.stats.notPossible += stats.notPossible
            $0.stats.unavailable += stats.unavailable
        }
    }

    /// The outcome's message; a close match adds the holder's name the provider returned, for
    /// the operator who reviews the flag (never the IBAN).
    static func message(for result: Result) -> String {
        let message = result.outcome.reasonMessage ?? ""
        if case .closeMatch = result.outcome, let matchedName = result.matchedName, !matchedName.isEmpty {
            return message + " (holder: \(matchedName))"
        }
        return message
    }

    /// The column a rejection or flag names: where the payee's name came from.
    private var nameColumnName: String? {
        switch configuration.nameColumns {
        case .firstAndLast(let first, _, _): first
        case .single(let full): full
        }
    }

    /// The IBAN without spaces, upper-cased.
    static func compact(_ iban: String) -> String {
        String(iban.unicodeScalars.filter { !$0.properties.isWhitespace }.map(Character.init)).uppercased()
    }

    /// The name as the in-batch key compares it: lower-cased, runs of spaces made one.
    static func normalised(_ name: String) -> String {
        name.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// Whether `iban` is in the sample: FNV-1a of its bytes, stable across runs and processes
    /// (unlike `Hasher`, which is seeded per process).
    static func isSampled(iban: String, percentage: Double) -> Bool {
        guard percentage < 100 else { return true }
        guard percentage > 0 else { return false }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in iban.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return Double(hash % 10_000) < percentage * 100
    }
}

extension RecordBatch {
    /// Mapped value `column` of `row` as a `String` (invalid UTF-8 repaired).
    fileprivate func string(row: Int, column: Int) -> String {
        String(decoding: arena[valueSpan(row: row, column: column)], as: UTF8.self)
    }
}

extension String {
    fileprivate func trimmingCharacters(in isSpace: (Character) -> Bool) -> String {
        String(drop(while: isSpace).reversed().drop(while: isSpace).reversed())
    }
}
