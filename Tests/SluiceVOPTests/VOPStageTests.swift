import SluiceCore
import SluiceStages
import Synchronization
import Testing
@testable import SluiceVOP

/// A `PayeeVerifier` that answers from a script per IBAN, and counts calls and concurrency.
final class ScriptedVerifier: PayeeVerifier {
    enum Reply: Sendable {
        case answer(PayeeVerificationOutcome)
        case fail(ProviderFailure)
    }

    struct Counts {
        var calls = 0
        var callsByIBAN: [String: Int] = [:]
        var inFlight = 0
        var maxInFlight = 0
    }

    let replies: [String: Reply]
    let fallback: Reply
    let delay: Duration
    private let counts = Mutex(Counts())

    init(_ replies: [String: Reply] = [:], fallback: Reply = .answer(.match), delay: Duration = .zero) {
        self.replies = replies
        self.fallback = fallback
        self.delay = delay
    }

    var calls: Int { counts.withLock { $0.calls } }
    var maxInFlight: Int { counts.withLock { $0.maxInFlight } }
    func calls(for iban: String) -> Int { counts.withLock { $0.callsByIBAN[iban] ?? 0 } }

    func verify(_ request: PayeeVerificationRequest) async throws -> PayeeVerificationAnswer {
        counts.withLock {
            $0.calls += 1
            $0.callsByIBAN[request.iban, default: 0] += 1
            $0.inFlight += 1
            $0.maxInFlight = max($0.maxInFlight, $0.inFlight)
        }
        defer { counts.withLock { $0.inFlight -= 1 } }
        if delay > .zero { try await Task.sleep(for: delay) }
        switch replies[request.iban] ?? fallback {
        case .answer(let outcome):
            var matchedName: String?
            if case .closeMatch(let name) = outcome { matchedName = name }
            return PayeeVerificationAnswer(outcome: outcome, matchedName: matchedName, providerLatency: .milliseconds(5), attempts: 1)
        case .fail(let failure):
            throw PayeeVerifierError(.attemptsExhausted, provider: .epc, failure: failure, attempts: 3, maskedIBAN: "XX**")
        }
    }
}

struct VOPStageTests {
    static let columns = ["external_id", "first_name", "last_name", "iban"]

    /// A mapped batch: `rows` are values in `columns` order; `rejected` rows are already held back.
    static func batch(_ rows: [[String]], rejected: Set<Int> = [], columns: [String] = columns) -> RecordBatch {
        var batch = RecordBatch(sequence: 0, object: SourceObject(uri: "memory://vop.csv", etag: "", size: 0), startOffset: 0)
        batch.columnCount = columns.count
        for (index, row) in rows.enumerated() {
            let start = Int32(batch.arena.count)
            for value in row {
                batch.valueStarts.append(Int32(batch.arena.count))
                batch.arena.append(contentsOf: Array(value.utf8))
                batch.valueEnds.append(Int32(batch.arena.count))
            }
            batch.rawStarts.append(start)
            batch.rawEnds.append(Int32(batch.arena.count))
            batch.lines.append(Int64(index + 2))
            batch.offsets.append(Int64(start))
            batch.rowFieldBase.append(0)
            batch.status.append(.accepted)
            if rejected.contains(index) { batch.reject(row: index, code: "validate.iban", message: "bad IBAN") }
        }
        return batch
    }

    static func row(_ id: Int, iban: String, first: String = "Jane", last: String = "Doe") -> [String] {
        ["E\(id)", first, last, iban]
    }

    static func iban(_ n: Int) -> String { "DE\(String(format: "%020d", n))" }

    static func rejectionCodes(_ batch: RecordBatch) -> [String?] {
        (0..<batch.rowCount).map { row in batch.rejections.first { Int($0.row) == row }?.code.rawValue }
    }

    static func flagCodes(_ batch: RecordBatch) -> [String?] {
        (0..<batch.rowCount).map { row in batch.flags.first { Int($0.row) == row }?.code.rawValue }
    }

    @Test func eachOutcomeIsAcceptedRejectedOrFlaggedByTheDefaultPolicy() async throws {
        let verifier = ScriptedVerifier([
            "DE01": .answer(.match),
            "DE02": .answer(.closeMatch(matchedName: "Janet Doe")),
            "DE03": .answer(.noMatch),
            "DE04": .answer(.notPossible),
            "DE05": .fail(.status(503)),
        ])
        let stage = VOPStage(columns: Self.columns, verifier: verifier)
        var batch = Self.batch((1...5).map { Self.row($0, iban: "DE0\($0)") })
        try await stage.process(&batch)
        #expect(batch.status == [.accepted, .accepted, .rejected, .rejected, .accepted])
        #expect(Self.rejectionCodes(batch) == [nil, nil, "vop.no_match", "vop.not_possible", nil])
        #expect(Self.flagCodes(batch) == [nil, "vop.close_match", nil, nil, "vop.unavailable"])
        let closeMatch = try #require(batch.flags.first { $0.row == 1 })
        #expect(!closeMatch.message.contains("Janet Doe"), "messages name no row data")
        #expect(!closeMatch.message.contains("DE02"))
        let checks = try #require(batch.effects.first { $0.table == VOPCheck.table })
        let matched = checks.textRows.map { $0[VOPCheck.columns.firstIndex(of: "matched_name")!] }
        #expect(matched == [nil, "Janet Doe", nil, nil, nil], "the VOP report keeps the holder's name for the operator")
        #expect(batch.rejections.first?.message == PayeeVerificationOutcome.noMatch.reasonMessage)
        let stats = stage.stats
        #expect(stats.calls == 5 && stats.failures == 1)
        #expect([stats.matches, stats.closeMatches, stats.noMatches, stats.notPossible, stats.unavailable] == [1, 1, 1, 1, 1])
        #expect(stats.totalLatency == .milliseconds(20))
    }

    @Test func aStricterPolicyRejectsCloseMatchesAndUnavailable() async throws {
        let verifier = ScriptedVerifier(["DE01": .answer(.closeMatch(matchedName: nil)), "DE02": .fail(.timeout)])
        let configuration = VOPStageConfiguration(policy: VOPPolicy(closeMatch: .reject, noMatch: .flag, unavailable: .reject))
        let stage = VOPStage(columns: Self.columns, verifier: verifier, configuration: configuration)
        var batch = Self.batch([Self.row(1, iban: "DE01"), Self.row(2, iban: "DE02")])
        try await stage.process(&batch)
        #expect(Self.rejectionCodes(batch) == ["vop.close_match", "vop.unavailable"])
    }

    @Test func rowsAlreadyRejectedAreNotVerified() async throws {
        let verifier = ScriptedVerifier(fallback: .answer(.noMatch))
        let stage = VOPStage(columns: Self.columns, verifier: verifier)
        var batch = Self.batch([Self.row(1, iban: "DE01"), Self.row(2, iban: "DE02")], rejected: [0])
        try await stage.process(&batch)
        #expect(verifier.calls == 1)
        #expect(verifier.calls(for: "DE01") == 0)
        #expect(batch.rejections.map(\.code.rawValue) == ["validate.iban", "vop.no_match"])
    }

    @Test func inBatchDuplicatesShareOneCall() async throws {
        let verifier = ScriptedVerifier(["DE89370400440532013000": .answer(.noMatch)])
        let stage = VOPStage(columns: Self.columns, verifier: verifier)
        var batch = Self.batch([
            Self.row(1, iban: "DE89370400440532013000"),
            Self.row(2, iban: "de89 3704 0044 0532 0130 00", first: "JANE ", last: " doe"),
            Self.row(3, iban: "DE89370400440532013000", first: "John"),
            Self.row(4, iban: "DE89370400440532013000"),
        ])
        try await stage.process(&batch)
        #expect(verifier.calls == 2, "Jane Doe once, John Doe once")
        #expect(stage.stats.sharedAnswers == 2)
        #expect(Self.rejectionCodes(batch) == ["vop.no_match", "vop.no_match", "vop.no_match", "vop.no_match"])
    }

    @Test func callsInFlightNeverExceedTheBound() async throws {
        let verifier = ScriptedVerifier(delay: .milliseconds(20))
        let stage = VOPStage(columns: Self.columns, verifier: verifier, configuration: VOPStageConfiguration(maxCallsInFlight: 4))
        var batch = Self.batch((1...40).map { Self.row($0, iban: Self.iban($0)) })
        try await stage.process(&batch)
        #expect(verifier.calls == 40)
        #expect(verifier.maxInFlight <= 4)
        #expect(verifier.maxInFlight >= 2, "calls do overlap")
        #expect(batch.acceptedCount == 40)
    }

    @Test(arguments: [VOPPolicy.UnavailableAction.flag, .reject])
    func theBreakerOpensOnABurstOfFailuresAndTheRestIsUnavailableWithoutCalls(unavailable: VOPPolicy.UnavailableAction) async throws {
        // The first ten IBANs fail: with one call at a time the breaker opens after the tenth.
        var replies: [String: ScriptedVerifier.Reply] = [:]
        for n in 1...10 { replies[Self.iban(n)] = .fail(.status(503)) }
        let verifier = ScriptedVerifier(replies)
        let configuration = VOPStageConfiguration(maxCallsInFlight: 1, policy: VOPPolicy(unavailable: unavailable))
        let stage = VOPStage(columns: Self.columns, verifier: verifier, configuration: configuration)
        var batch = Self.batch((1...25).map { Self.row($0, iban: Self.iban($0)) })
        try await stage.process(&batch)
        #expect(verifier.calls == 10)
        guard case .open = stage.breakerState else {
            Issue.record("breaker should be open, is \(stage.breakerState)")
            return
        }
        #expect(stage.stats.breakerRejections == 15)
        #expect(stage.stats.unavailable == 25)
        let codes = unavailable == .flag ? Self.flagCodes(batch) : Self.rejectionCodes(batch)
        #expect(codes == Array(repeating: "vop.unavailable", count: 25))
        #expect(batch.acceptedCount == (unavailable == .flag ? 25 : 0))
    }

    @Test func aRefusedRequestDoesNotOpenTheBreaker() async throws {
        let verifier = ScriptedVerifier(fallback: .fail(.status(400)))
        let stage = VOPStage(columns: Self.columns, verifier: verifier, configuration: VOPStageConfiguration(maxCallsInFlight: 1))
        var batch = Self.batch((1...20).map { Self.row($0, iban: Self.iban($0)) })
        try await stage.process(&batch)
        #expect(verifier.calls == 20)
        #expect(stage.breakerState == .closed)
    }

    @Test func samplingZeroMakesNoCallAndLeavesRowsAccepted() async throws {
        let verifier = ScriptedVerifier(fallback: .answer(.noMatch))
        let stage = VOPStage(columns: Self.columns, verifier: verifier, configuration: VOPStageConfiguration(samplingPercentage: 0))
        var batch = Self.batch((1...10).map { Self.row($0, iban: Self.iban($0)) })
        try await stage.process(&batch)
        #expect(verifier.calls == 0)
        #expect(batch.acceptedCount == 10 && batch.flags.isEmpty)
        #expect(stage.stats.notVerified == 10)
    }

    @Test func samplingPicksTheSameRowsOnARerun() async throws {
        let ibans = (1...200).map(Self.iban)
        let first = ibans.filter { VOPStage.isSampled(iban: $0, percentage: 30) }
        let second = ibans.filter { VOPStage.isSampled(iban: $0, percentage: 30) }
        #expect(first == second)
        #expect((30...90).contains(first.count), "about 30 % of 200")
    }

    @Test func rowOrderIsKeptWhenCallsFinishOutOfOrder() async throws {
        // Slow answers for early rows, so calls finish in another order than they started.
        final class Reversed: PayeeVerifier {
            func verify(_ request: PayeeVerificationRequest) async throws -> PayeeVerificationAnswer {
                let n = Int(request.iban.dropFirst(2))!
                try await Task.sleep(for: .milliseconds(5 * (12 - n)))
                return PayeeVerificationAnswer(outcome: n.isMultiple(of: 2) ? .noMatch : .match, providerLatency: .zero, attempts: 1)
            }
        }
        let stage = VOPStage(columns: Self.columns, verifier: Reversed())
        var batch = Self.batch((1...11).map { Self.row($0, iban: "DE\($0)") })
        let before = batch.arena
        try await stage.process(&batch)
        #expect(batch.rejections.map(\.row) == [1, 3, 5, 7, 9])
        #expect(batch.status.map { $0 == .accepted } == (1...11).map { !$0.isMultiple(of: 2) })
        #expect(batch.arena == before, "rows are edited in place, their bytes untouched")
    }

    @Test func pauseWaitsForTheBreakerAndRetriesTheRow() async throws {
        /// Fails its first two calls, then matches.
        final class Recovering: PayeeVerifier {
            let calls = Mutex(0)
            func verify(_ request: PayeeVerificationRequest) async throws -> PayeeVerificationAnswer {
                let n = calls.withLock { $0 += 1; return $0 }
                if n <= 2 { throw PayeeVerifierError(.attemptsExhausted, provider: .bav, failure: .timeout, attempts: 1, maskedIBAN: "XX**") }
                return PayeeVerificationAnswer(outcome: .match, providerLatency: .zero, attempts: 1)
            }
        }
        let verifier = Recovering()
        let breaker = CircuitBreakerConfiguration(windowSize: 2, minimumCalls: 2, coolDown: .milliseconds(50), probeCalls: 1)
        let configuration = VOPStageConfiguration(maxCallsInFlight: 1, breaker: breaker, policy: VOPPolicy(unavailable: .pause), maxPause: .seconds(10))
        let stage = VOPStage(columns: Self.columns, verifier: verifier, configuration: configuration)
        var batch = Self.batch([Self.row(1, iban: "DE01"), Self.row(2, iban: "DE02")])
        try await stage.process(&batch)
        #expect(verifier.calls.withLock { $0 } == 4)
        #expect(batch.acceptedCount == 2 && batch.flags.isEmpty)
        #expect(stage.stats.pausedCalls == 1 && stage.stats.matches == 2)
        #expect(stage.breakerState == .closed)
    }

    @Test func pauseFallsBackToAFlagAfterTheMaximumPause() async throws {
        let verifier = ScriptedVerifier(fallback: .fail(.connection))
        let breaker = CircuitBreakerConfiguration(windowSize: 1, minimumCalls: 1, coolDown: .seconds(10))
        let configuration = VOPStageConfiguration(maxCallsInFlight: 1, breaker: breaker, policy: VOPPolicy(unavailable: .pause), maxPause: .milliseconds(100))
        let stage = VOPStage(columns: Self.columns, verifier: verifier, configuration: configuration)
        var batch = Self.batch([Self.row(1, iban: "DE01"), Self.row(2, iban: "DE02")])
        let clock = ContinuousClock()
        let started = clock.now
        try await stage.process(&batch)
        #expect(clock.now - started < .seconds(5), "bounded by maxPause, not the cool-down")
        #expect(verifier.calls == 1, "the open breaker lets no retry through")
        #expect(Self.flagCodes(batch) == ["vop.unavailable", "vop.unavailable"])
        #expect(batch.acceptedCount == 2)
    }

    @Test func theTokenBucketSpacesCalls() async throws {
        let verifier = ScriptedVerifier()
        let configuration = VOPStageConfiguration(ratePerSecond: 100, burst: 1)
        let stage = VOPStage(columns: Self.columns, verifier: verifier, configuration: configuration)
        var batch = Self.batch((1...11).map { Self.row($0, iban: Self.iban($0)) })
        let clock = ContinuousClock()
        let started = clock.now
        try await stage.process(&batch)
        #expect(verifier.calls == 11)
        #expect(clock.now - started >= .milliseconds(95), "ten waits of 10 ms after the first token")
    }
}
