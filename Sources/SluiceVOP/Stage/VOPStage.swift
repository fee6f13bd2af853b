import Foundation
import SluiceCore
import SluicePostgres
import SluiceStages
import SluiceValidation
import Synchronization

/// The payee-verification stage: asks a `PayeeVerifier` about each accepted row and applies
/// the `VOPPolicy` to the answer.
///
/// Per batch:
/// 1. each accepted row's payee is read (IBAN, name, account type) and keyed by the IBAN's
///    SHA-256 and the normalised name; rows left out by sampling are recorded `not_sampled`;
/// 2. the batch's distinct payees are looked up in the cache in one query (`VOPAnswerLookup`),
///    then among the answers of the last moments (`SharedVOPCalls`);
/// 3. the calls still needed are reserved from the daily budget (`VOPCallBudget`); the rest
///    are recorded `over_budget`, accepted and not verified;
/// 4. the calls run with at most `maxCallsInFlight` in flight across the stage, each taking a
///    token from the bucket and a permit from the breaker first (an open breaker makes the
///    outcome `unavailable` without a call); a payee already being asked about by another
///    batch waits for that call instead of paying for a second one;
/// 5. rows are accepted, rejected or flagged in their order, and the batch carries two stage
///    effects: the paid answers for `sluice.vop_results` and one `VOPCheck` per row for
///    `sluice.vop_checks`. Both commit with the batch, so a resumed run neither loses a
///    committed answer nor records a row twice.
public final class VOPStage: Stage {
    public var name: StageName { .vop }
    /// Two batches at once: the next batch's calls start while the last calls of the one
    /// before finish. Calls stay bounded across both by `maxCallsInFlight`.
    public var maxConcurrentBatches: Int { 2 }

    public let configuration: VOPStageConfiguration
    /// The provider's name in cache keys and checks: `epc`, `bav`.
    public let provider: String
    private let verifier: any PayeeVerifier
    private let answers: (any VOPAnswerLookup)?
    private let budget: (any VOPCallBudget)?
    private let runID: UUID
    /// Batches a resumed run committed before (out of order): they pass through untouched,
    /// since their checks and answers are already in the database.
    private let committedBatches: Set<Int>
    let columns: Columns
    private let state: Mutex<State>
    private let permits: CallPermits
    /// The rate limit; `nil` when the configuration sets none.
    private let rateLimiter: RateLimiter?
    private let shared: SharedVOPCalls<PayeeKey, Answer>
    private let metrics: VOPMetrics
    private let matcher = PayeeNameMatcher()

    /// Where the stage reads a row's payee, as value-table indexes.
    struct Columns: Sendable {
        var iban: Int?
        var first: Int?
        var last: Int?
        var full: Int?
        var accountType: Int?
    }

    struct State {
        var breaker: CircuitBreaker
        var stats = VOPStageStats()
        var inFlight = 0
    }

    /// What the stage knows about one payee.
    struct Answer: Sendable {
        var outcome: PayeeVerificationOutcome
        var matchedName: String?
        var score: Double?
        /// The call's latency, for an answer this stage paid for.
        var latency: Duration?
    }

    /// - Parameters:
    ///   - columns: the pipeline's canonical columns, in value-table order. Without the IBAN
    ///     column or any name column, no row is verified.
    ///   - verifier: the provider client (`EPCVOPClient`, `BAVClient`).
    ///   - provider: the provider's name in cache keys and checks.
    ///   - answers: the cache of paid answers; `nil` asks the provider about every payee.
    ///   - budget: the daily call budget; `nil` for none.
    ///   - runID: the run the checks are recorded for.
    ///   - committedBatches: sequences of batches a resumed run has committed already.
    public init(
        columns: [String], verifier: any PayeeVerifier, provider: VOPProvider = .epc,
        configuration: VOPStageConfiguration = VOPStageConfiguration(),
        answers: (any VOPAnswerLookup)? = nil, budget: (any VOPCallBudget)? = nil, runID: UUID = UUID(),
        committedBatches: Set<Int> = []
    ) {
        self.configuration = configuration
        self.verifier = verifier
        self.provider = provider.rawValue
        self.answers = answers
        self.budget = budget
        self.runID = runID
        self.committedBatches = committedBatches
        var indexes = Columns(iban: columns.firstIndex(of: configuration.ibanColumn))
        switch configuration.nameColumns {
        case .firstAndLast(let first, let last, let fallback):
            indexes.first = columns.firstIndex(of: first)
            indexes.last = columns.firstIndex(of: last)
            indexes.full = fallback.flatMap { columns.firstIndex(of: $0) }
        case .single(let full):
            indexes.full = columns.firstIndex(of: full)
        }
        indexes.accountType = configuration.accountTypeColumn.flatMap { columns.firstIndex(of: $0) }
        self.columns = indexes
        rateLimiter = configuration.ratePerSecond.flatMap { rate in
            rate > 0 && rate.isFinite ? RateLimiter(ratePerSecond: rate, burst: configuration.burst) : nil
        }
        state = Mutex(State(breaker: CircuitBreaker(configuration: configuration.breaker)))
        permits = CallPermits(limit: configuration.maxCallsInFlight)
        shared = SharedVOPCalls(recentCapacity: configuration.recentAnswers)
        metrics = VOPMetrics(provider: provider.rawValue)
    }

    /// What the stage has done so far, across batches.
    public var stats: VOPStageStats { state.withLock { $0.stats } }

    /// The breaker's state now, for logs and tests.
    public var breakerState: CircuitBreaker.State { state.withLock { $0.breaker.state } }

    /// One distinct payee of a batch: the rows (indexes into the batch's payees) that carry it.
    struct Group {
        var key: PayeeKey
        var payees: [Int]
        var answer: Answer?
        var answeredBy: VOPCheck.AnsweredBy = .provider
    }

    public func process(_ batch: inout RecordBatch) async throws {
        guard batch.columnCount > 0, !committedBatches.contains(batch.sequence) else { return }
        let (payees, sampledOut) = readPayees(of: batch)
        var groups = group(payees)
        let now = Date()
        try await answerFromCache(&groups, now: now)
        var toCall = groups.indices.filter { groups[$0].answer == nil }
        var overBudget: [Int] = []
        if let budget, !toCall.isEmpty {
            let granted = try await budget.reserve(toCall.count, provider: provider, now: now)
            overBudget = Array(toCall[min(granted, toCall.count)...])
            toCall = Array(toCall[..<min(granted, toCall.count)])
        }
        try await call(toCall, of: &groups, payees: payees)
        let checks = apply(groups, payees: payees, sampledOut: sampledOut, overBudget: Set(overBudget), to: &batch)
        let paid = groups.compactMap { group -> (VOPResultCache.Key, VOPResultCache.CachedAnswer)? in
            guard group.answeredBy == .provider, let answer = group.answer, let cached = cachedAnswer(answer, at: now) else { return nil }
            return (group.key.cacheKey(provider: provider), cached)
        }
        if !paid.isEmpty { batch.effects.append(VOPCacheEffect(answers: paid).stageEffect) }
        if !checks.isEmpty { batch.effects.append(VOPCheck.effect(checks, runID: runID)) }
    }

    /// The batch's accepted rows with a payee, split into those to verify and those sampling left out.
    func readPayees(of batch: RecordBatch) -> (sampled: [VOPPayee], sampledOut: [VOPPayee]) {
        var sampled: [VOPPayee] = []
        var sampledOut: [VOPPayee] = []
        var notVerifiable = 0
        var scratch = NormalizedPayeeName(accountType: .individual)
        for row in 0..<batch.rowCount where batch.status[row] == .accepted {
            guard let payee = VOPPayee.read(row: row, in: batch, columns: columns, configuration: configuration, scratch: &scratch)
            else {
                notVerifiable += 1
                continue
            }
            if Self.isSampled(iban: payee.iban, percentage: configuration.samplingPercentage) {
                sampled.append(payee)
            } else {
                sampledOut.append(payee)
            }
        }
        state.withLock {
            $0.stats.notVerifiable += notVerifiable
            $0.stats.notSampled += sampledOut.count
        }
        return (sampled, sampledOut)
    }

    /// The distinct payees, in the order of their first row.
    func group(_ payees: [VOPPayee]) -> [Group] {
        var groups: [Group] = []
        var indexByKey: [PayeeKey: Int] = [:]
        for (index, payee) in payees.enumerated() {
            if let existing = indexByKey[payee.key] {
                groups[existing].payees.append(index)
            } else {
                indexByKey[payee.key] = groups.count
                groups.append(Group(key: payee.key, payees: [index]))
            }
        }
        return groups
    }

    /// Answers groups from the cache (one query) and from the answers of the last moments.
    func answerFromCache(_ groups: inout [Group], now: Date) async throws {
        guard !groups.isEmpty else { return }
        let found = try await answers?.answers(for: groups.map { $0.key.cacheKey(provider: provider) }, now: now) ?? []
        for index in groups.indices {
            if index < found.count, let cached = found[index] {
                groups[index].answer = Answer(cached)
                groups[index].answeredBy = .cache
            } else if let recent = shared.recentAnswer(for: groups[index].key) {
                groups[index].answer = Answer(outcome: recent.outcome, matchedName: recent.matchedName, score: recent.score)
                groups[index].answeredBy = .shared
            }
        }
    }

    /// Makes the calls of `indexes`, at most `maxCallsInFlight` across the stage at once.
    func call(_ indexes: [Int], of groups: inout [Group], payees: [VOPPayee]) async throws {
        guard !indexes.isEmpty else { return }
        let requests = indexes.map { index in
            let payee = payees[groups[index].payees[0]]
            return (index, groups[index].key, PayeeVerificationRequest(iban: payee.iban, name: payee.name, accountType: payee.accountType))
        }
        let limit = configuration.maxCallsInFlight
        try await withThrowingTaskGroup(of: (Int, Answer, SharedVOPCalls<PayeeKey, Answer>.Source).self) { group in
            var next = 0
            func addCall() {
                let (index, key, request) = requests[next]
                group.addTask {
                    let (answer, source) = try await self.shared.answer(for: key, keep: { $0.outcome != .unavailable }) {
                        try await self.permits.withPermit { try await self.verify(request) }
                    }
                    return (index, answer, source)
                }
                next += 1
            }
            while next < min(limit, requests.count) { addCall() }
            while let (index, answer, source) = try await group.next() {
                groups[index].answer = answer
                groups[index].answeredBy = source == .called ? .provider : .shared
                if next < requests.count { addCall() }
            }
        }
    }

    /// Verifies one payee; under the `pause` policy, waits for the breaker and retries an
    /// unavailable answer until `maxPause` has passed.
    func verify(_ request: PayeeVerificationRequest) async throws -> Answer {
        var answer = try await verifyOnce(request)
        guard configuration.policy.unavailable == .pause, answer.outcome == .unavailable else { return answer }
        let clock = ContinuousClock()
        let deadline = clock.now + configuration.maxPause
        state.withLock { $0.stats.pausedCalls += 1 }
        while answer.outcome == .unavailable {
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
            answer = try await verifyOnce(request)
        }
        return answer
    }

    /// One call: a token from the bucket, a permit from the breaker, the provider's answer.
    func verifyOnce(_ request: PayeeVerificationRequest) async throws -> Answer {
        let clock = ContinuousClock()
        try await rateLimiter?.acquire()
        let permit = state.withLock { state -> CircuitBreaker.Permit in
            let permit = state.breaker.permit(at: clock.now)
            if case .rejected = permit {
                state.stats.breakerRejections += 1
            } else {
                state.stats.calls += 1
                state.inFlight += 1
                state.stats.maxInFlight = max(state.stats.maxInFlight, state.inFlight)
                // Under the lock, so the gauge's last value is the count's last value.
                metrics.inFlight.record(state.inFlight)
            }
            return permit
        }
        if case .rejected = permit {
            metrics.breakerRejections.increment()
            return Answer(outcome: .unavailable)
        }
        defer {
            state.withLock { state in
                state.inFlight -= 1
                metrics.inFlight.record(state.inFlight)
            }
        }
        do {
            let answer = try await verifier.verify(request)
            state.withLock {
                _ = $0.breaker.record(.success, at: clock.now)
                $0.stats.totalLatency += answer.providerLatency
            }
            metrics.latency.recordNanoseconds(Int64(answer.providerLatency.milliseconds * 1_000_000))
            metrics.call(outcome: VOPCheck.Outcome(answer.outcome).rawValue)
            var matchedName = answer.matchedName
            if case .closeMatch(let name) = answer.outcome, matchedName == nil { matchedName = name }
            // Three decimals: the score is for people reading the report, not for more arithmetic.
            let score = matchedName.map { (matcher.score(request.name, $0, accountType: request.accountType) * 1000).rounded() / 1000 }
            return Answer(outcome: answer.outcome, matchedName: matchedName, score: score, latency: answer.providerLatency)
        } catch let error as PayeeVerifierError {
            // A refused request (a 4xx other than 429) is our fault, not the provider's: the
            // provider answered, which is what the breaker tracks.
            let result: CircuitBreaker.CallResult = error.failure.countsAgainstProvider ? .failure : .success
            state.withLock {
                _ = $0.breaker.record(result, at: clock.now)
                $0.stats.failures += 1
            }
            metrics.failed.increment()
            return Answer(outcome: .unavailable)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            state.withLock {
                _ = $0.breaker.record(.failure, at: clock.now)
                $0.stats.failures += 1
            }
            metrics.failed.increment()
            return Answer(outcome: .unavailable)
        }
    }

    /// Applies the policy to every verified row in row order, and returns the batch's checks.
    func apply(
        _ groups: [Group], payees: [VOPPayee], sampledOut: [VOPPayee], overBudget: Set<Int>, to batch: inout RecordBatch
    ) -> [VOPCheck] {
        // Checks by row, so they leave in row order without a sort.
        var byRow = [VOPCheck?](repeating: nil, count: batch.rowCount)
        var stats = VOPStageStats()
        var rowsBy: [VOPCheck.AnsweredBy: Int] = [:]
        let column = nameColumnName
        for (index, group) in groups.enumerated() {
            for (position, payeeIndex) in group.payees.enumerated() {
                let payee = payees[payeeIndex]
                guard let answer = group.answer, !overBudget.contains(index) else {
                    byRow[payee.row] = check(payee, outcome: .overBudget, answeredBy: .none)
                    stats.overBudget += 1
                    continue
                }
                // The first row of a group owns its call; the others shared it.
                let answeredBy: VOPCheck.AnsweredBy = group.answeredBy == .provider && position > 0 ? .shared : group.answeredBy
                switch answeredBy {
                case .cache: stats.cacheHits += 1
                case .shared: stats.sharedAnswers += 1
                case .provider, .none: break
                }
                switch answer.outcome {
                case .match: stats.matches += 1
                case .closeMatch: stats.closeMatches += 1
                case .noMatch: stats.noMatches += 1
                case .notPossible: stats.notPossible += 1
                case .unavailable: stats.unavailable += 1
                }
                let message = Self.message(for: answer.outcome)
                var decision = VOPCheck.Decision.accepted
                switch configuration.policy.decision(for: answer.outcome) {
                case .accept:
                    break
                case .reject(let code):
                    batch.reject(row: payee.row, code: code, message: message, column: column)
                    decision = .rejected
                case .flag(let code):
                    batch.flag(row: payee.row, code: code, message: message, column: column)
                    decision = .flagged
                case .pause:
                    // The pause ran out (`maxPause`) without an answer: the row is flagged for review.
                    batch.flag(row: payee.row, code: .vopUnavailable, message: message, column: column)
                    decision = .flagged
                }
                var check = check(payee, outcome: VOPCheck.Outcome(answer.outcome), answeredBy: answeredBy, decision: decision)
                check.matchedName = answer.matchedName
                check.score = answer.score
                if answeredBy == .provider { check.latency = answer.latency }
                byRow[payee.row] = check
            }
        }
        for payee in sampledOut { byRow[payee.row] = check(payee, outcome: .notSampled, answeredBy: .none) }
        let checks = byRow.compactMap { $0 }
        for check in checks { rowsBy[check.answeredBy, default: 0] += 1 }
        for (answeredBy, count) in rowsBy { metrics.rows(count, answeredBy: answeredBy) }
        state.withLock {
            $0.stats.cacheHits += stats.cacheHits
            $0.stats.sharedAnswers += stats.sharedAnswers
            $0.stats.overBudget += stats.overBudget
            $0.stats.matches += stats.matches
            $0.stats.closeMatches += stats.closeMatches
            $0.stats.noMatches += stats.noMatches
            $0.stats.notPossible += stats.notPossible
            $0.stats.unavailable += stats.unavailable
        }
        return checks
    }

    private func check(_ payee: VOPPayee, outcome: VOPCheck.Outcome, answeredBy: VOPCheck.AnsweredBy, decision: VOPCheck.Decision = .accepted) -> VOPCheck {
        VOPCheck(
            line: payee.line, ibanMasked: VOPPayee.masked(payee.iban), ibanDigest: payee.key.digest, nameSent: payee.name,
            normalizedName: payee.key.name, accountType: payee.accountType, provider: provider, outcome: outcome,
            answeredBy: answeredBy, decision: decision)
    }

    /// The answer as the cache keeps it, and until when; `nil` for no answer (`unavailable`),
    /// or a not-possible answer when `notPossibleTTL` is zero.
    func cachedAnswer(_ answer: Answer, at now: Date) -> VOPResultCache.CachedAnswer? {
        let outcome: VOPResultCache.CachedAnswer.Outcome
        var ttl = configuration.cacheTTL
        switch answer.outcome {
        case .match: outcome = .match
        case .closeMatch: outcome = .closeMatch
        case .noMatch: outcome = .noMatch
        case .notPossible:
            // NOAP may be a responder that timed out: kept for a shorter time.
            guard configuration.notPossibleTTL > .zero else { return nil }
            outcome = .notPossible
            ttl = configuration.notPossibleTTL
        case .unavailable: return nil
        }
        return VOPResultCache.CachedAnswer(
            outcome: outcome, matchedName: answer.matchedName, score: answer.score, answeredAt: now,
            expiresAt: now.addingTimeInterval(ttl.milliseconds / 1000), runID: runID)
    }

    /// The outcome's message. It names no row data: a close match's holder name is kept in
    /// the VOP report (`sluice.vop_checks`), which the operator reviewing the flag reads.
    static func message(for outcome: PayeeVerificationOutcome) -> String {
        let message = outcome.reasonMessage ?? ""
        if case .closeMatch = outcome { return message + "; the holder's name is in the VOP report" }
        return message
    }

    /// The column a rejection or flag names: where the payee's name came from.
    private var nameColumnName: String? {
        switch configuration.nameColumns {
        case .firstAndLast(let first, _, _): first
        case .single(let full): full
        }
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

extension VOPStage.Answer {
    init(_ cached: VOPResultCache.CachedAnswer) {
        switch cached.outcome {
        case .match: outcome = .match
        case .closeMatch: outcome = .closeMatch(matchedName: cached.matchedName)
        case .noMatch: outcome = .noMatch
        case .notPossible: outcome = .notPossible
        }
        matchedName = cached.matchedName
        score = cached.score
    }
}
