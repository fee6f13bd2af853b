import Foundation
import SluiceCore
import SluicePostgres
import SluiceStages
import Synchronization
import Testing
@testable import SluiceVOP

/// A cache in memory that counts its lookups.
final class MemoryAnswers: VOPAnswerLookup {
    let answers: Mutex<[VOPResultCache.Key: VOPResultCache.CachedAnswer]>
    let lookups = Mutex(0)

    init(_ answers: [VOPResultCache.Key: VOPResultCache.CachedAnswer] = [:]) {
        self.answers = Mutex(answers)
    }

    func answers(for keys: [VOPResultCache.Key], now: Date) async throws -> [VOPResultCache.CachedAnswer?] {
        lookups.withLock { $0 += 1 }
        return answers.withLock { answers in keys.map { key in answers[key].flatMap { $0.expiresAt > now ? $0 : nil } } }
    }

    /// Stores what a batch's cache effect carries, as the sink would.
    func commit(_ batch: RecordBatch) throws {
        for effect in batch.effects {
            guard let cache = try VOPCacheEffect(effect) else { continue }
            answers.withLock { answers in
                for (key, answer) in cache.answers where answers[key] == nil { answers[key] = answer }
            }
        }
    }
}

/// A budget in memory.
final class MemoryBudget: VOPCallBudget {
    let left: Mutex<Int>
    init(_ calls: Int) { left = Mutex(calls) }

    func reserve(_ calls: Int, provider: String, now: Date) async throws -> Int {
        left.withLock { left in
            let granted = min(calls, left)
            left -= granted
            return granted
        }
    }
}

struct VOPStageCacheTests {
    typealias Rows = VOPStageTests

    static func checks(_ batch: RecordBatch) -> [[String: String?]] {
        guard let effect = batch.effects.first(where: { $0.table == VOPCheck.table }) else { return [] }
        return effect.textRows.map { Dictionary(uniqueKeysWithValues: zip(effect.columns, $0)) }
    }

    static func column(_ name: String, of batch: RecordBatch) -> [String?] {
        checks(batch).map { $0[name] ?? nil }
    }

    @Test func aCachedAnswerIsUsedWithoutACallAndIsNotStoredAgain() async throws {
        let verifier = ScriptedVerifier(fallback: .answer(.match))
        let answers = MemoryAnswers()
        let first = VOPStage(columns: Rows.columns, verifier: verifier, answers: answers)
        var batch = Rows.batch([Rows.row(1, iban: Rows.iban(1)), Rows.row(2, iban: Rows.iban(2), first: "Max")])
        try await first.process(&batch)
        #expect(verifier.calls == 2)
        let paid = try #require(try batch.effects.compactMap(VOPCacheEffect.init).first)
        #expect(paid.answers.count == 2, "both paid answers go to the cache with the batch")
        try answers.commit(batch)
        #expect(Self.column("answered_by", of: batch) == ["provider", "provider"])

        // A second run (a new stage: no answers in memory) asks the cache, not the provider.
        let second = VOPStage(columns: Rows.columns, verifier: verifier, answers: answers)
        var again = Rows.batch([Rows.row(1, iban: Rows.iban(1)), Rows.row(2, iban: Rows.iban(2), first: "MAX ")])
        try await second.process(&again)
        #expect(verifier.calls == 2, "no second paid call")
        #expect(second.stats.cacheHits == 2 && second.stats.calls == 0)
        #expect(Self.column("answered_by", of: again) == ["cache", "cache"])
        #expect(try again.effects.compactMap(VOPCacheEffect.init).isEmpty, "a cached answer is not stored twice")
        #expect(answers.lookups.withLock { $0 } == 2, "one lookup per batch")
    }

    @Test func noAnswerIsNotCachedAndNotPossibleOnlyForADay() async throws {
        let verifier = ScriptedVerifier([Rows.iban(1): .answer(.notPossible), Rows.iban(2): .fail(.status(503)), Rows.iban(3): .answer(.noMatch)])
        let stage = VOPStage(columns: Rows.columns, verifier: verifier, answers: MemoryAnswers())
        var batch = Rows.batch([Rows.row(1, iban: Rows.iban(1)), Rows.row(2, iban: Rows.iban(2)), Rows.row(3, iban: Rows.iban(3))])
        try await stage.process(&batch)
        #expect(Self.column("outcome", of: batch) == ["not_possible", "unavailable", "no_match"])
        let cached = try #require(try batch.effects.compactMap(VOPCacheEffect.init).first).answers
        #expect(cached.map(\.1.outcome) == [.notPossible, .noMatch], "unavailable is no answer: never cached")
        let days = cached.map { ($0.1.expiresAt.timeIntervalSince($0.1.answeredAt) / 86_400).rounded() }
        #expect(days == [1, 30])

        let never = VOPStage(
            columns: Rows.columns, verifier: verifier, configuration: VOPStageConfiguration(notPossibleTTL: .zero), answers: MemoryAnswers())
        var again = Rows.batch([Rows.row(1, iban: Rows.iban(1))])
        try await never.process(&again)
        #expect(try again.effects.compactMap(VOPCacheEffect.init).isEmpty)
    }

    @Test func theFastMaskIsIBANMasks() {
        for iban in ["DE89370400440532013000", "GR1601101250000000012300695", "NO9386011117947", "DE8937", "de89 3704 0044 0532 0130 00"] {
            #expect(VOPPayee.masked(iban) == IBANMask.mask(iban), "\(iban)")
        }
    }

    @Test func aPayeeAnsweredAMomentAgoIsNotPaidForAgainBeforeItsBatchCommits() async throws {
        let verifier = ScriptedVerifier(fallback: .answer(.noMatch))
        let stage = VOPStage(columns: Rows.columns, verifier: verifier, answers: MemoryAnswers())
        var first = Rows.batch([Rows.row(1, iban: Rows.iban(1))])
        try await stage.process(&first)
        var second = Rows.batch([Rows.row(2, iban: Rows.iban(1))])
        try await stage.process(&second)
        #expect(verifier.calls == 1)
        #expect(Self.column("answered_by", of: second) == ["shared"])
        #expect(second.rejections.map(\.code.rawValue) == ["vop.no_match"])
        #expect(try second.effects.compactMap(VOPCacheEffect.init).isEmpty, "the first batch stores the answer")
    }

    @Test func batchesInFlightTogetherShareOneCallPerPayee() async throws {
        let verifier = ScriptedVerifier(fallback: .answer(.match), delay: .milliseconds(100))
        let stage = VOPStage(columns: Rows.columns, verifier: verifier)
        let rows = (1...8).map { Rows.row($0, iban: Rows.iban($0)) }
        async let a: RecordBatch = { var batch = Rows.batch(rows); try await stage.process(&batch); return batch }()
        async let b: RecordBatch = { var batch = Rows.batch(rows); try await stage.process(&batch); return batch }()
        let (one, two) = try await (a, b)
        #expect(verifier.calls == 8, "each payee once, though two batches asked at once")
        let sources = Self.column("answered_by", of: one) + Self.column("answered_by", of: two)
        #expect(sources.filter { $0 == "provider" }.count == 8)
        #expect(sources.filter { $0 == "shared" }.count == 8)
    }

    @Test func callsInFlightAreBoundedAcrossBatches() async throws {
        let verifier = ScriptedVerifier(delay: .milliseconds(20))
        let stage = VOPStage(columns: Rows.columns, verifier: verifier, configuration: VOPStageConfiguration(maxCallsInFlight: 3))
        async let a: Void = { var batch = Rows.batch((1...15).map { Rows.row($0, iban: Rows.iban($0)) }); try await stage.process(&batch) }()
        async let b: Void = { var batch = Rows.batch((16...30).map { Rows.row($0, iban: Rows.iban($0)) }); try await stage.process(&batch) }()
        _ = try await (a, b)
        #expect(verifier.calls == 30)
        #expect(verifier.maxInFlight <= 3)
        #expect(stage.stats.maxInFlight <= 3)
    }

    @Test func theDailyBudgetLeavesTheRestAcceptedAndMarkedOverBudget() async throws {
        let verifier = ScriptedVerifier(fallback: .answer(.noMatch))
        let stage = VOPStage(columns: Rows.columns, verifier: verifier, budget: MemoryBudget(3))
        var batch = Rows.batch((1...5).map { Rows.row($0, iban: Rows.iban($0)) })
        try await stage.process(&batch)
        #expect(verifier.calls == 3)
        #expect(batch.status == [.rejected, .rejected, .rejected, .accepted, .accepted], "not verified is not failed")
        #expect(Self.column("outcome", of: batch) == ["no_match", "no_match", "no_match", "over_budget", "over_budget"])
        #expect(Self.column("answered_by", of: batch).suffix(2) == ["none", "none"])
        #expect(stage.stats.overBudget == 2)
        var later = Rows.batch([Rows.row(6, iban: Rows.iban(6))])
        try await stage.process(&later)
        #expect(verifier.calls == 3, "the budget is spent")
    }

    @Test func sampledOutRowsAreRecordedAsNotSampled() async throws {
        let verifier = ScriptedVerifier(fallback: .answer(.noMatch))
        let stage = VOPStage(columns: Rows.columns, verifier: verifier, configuration: VOPStageConfiguration(samplingPercentage: 50))
        let ibans = (1...40).map(Rows.iban)
        var batch = Rows.batch(ibans.enumerated().map { Rows.row($0.offset, iban: $0.element) })
        try await stage.process(&batch)
        let sampled = ibans.filter { VOPStage.isSampled(iban: $0, percentage: 50) }.count
        #expect(verifier.calls == sampled)
        #expect(Self.column("outcome", of: batch).filter { $0 == "not_sampled" }.count == 40 - sampled)
        #expect(batch.acceptedCount == 40 - sampled)
    }

    @Test func checksCarryTheMaskedIBANTheLineAndTheDecision() async throws {
        let verifier = ScriptedVerifier(["DE89370400440532013000": .answer(.closeMatch(matchedName: "Jane M. Doe"))])
        let runID = UUID()
        let stage = VOPStage(columns: Rows.columns, verifier: verifier, runID: runID)
        var batch = Rows.batch([Rows.row(1, iban: "DE89370400440532013000")])
        try await stage.process(&batch)
        let check = try #require(Self.checks(batch).first)
        #expect(check["run_id"] == runID.uuidString.lowercased())
        #expect(check["source_line"] == "2")
        #expect(check["iban_masked"] == IBANMask.mask("DE89370400440532013000"))
        #expect(check["iban_sha256"]??.count == 66)
        #expect(check["name_sent"] == "Jane Doe")
        #expect(check["normalized_name"] == "jane doe")
        #expect(check["outcome"] == "close_match" && check["decision"] == "flagged")
        #expect(check["matched_name"] == "Jane M. Doe")
        let score = try #require(check["score"].flatMap { $0 }.flatMap(Double.init))
        #expect(score > 0.5 && score < 1, "the local name-matching score against the holder's name")
        #expect(check["latency_ms"] != nil)
    }

    @Test func theAccountTypeIsGuessedFromALegalFormOrReadFromAColumn() async throws {
        let verifier = ScriptedVerifier()
        let stage = VOPStage(columns: Rows.columns, verifier: verifier)
        var batch = Rows.batch([
            Rows.row(1, iban: Rows.iban(1), first: "", last: "ACME Handels GmbH"),
            Rows.row(2, iban: Rows.iban(2)),
        ])
        try await stage.process(&batch)
        #expect(Self.column("account_type", of: batch) == ["company", "individual"])
        #expect(Self.column("normalized_name", of: batch) == ["acme handels", "jane doe"])

        let columns = Rows.columns + ["kind"]
        let declared = VOPStage(
            columns: columns, verifier: verifier, configuration: VOPStageConfiguration(accountType: .individual, accountTypeColumn: "kind"))
        var kinds = Rows.batch([["E1", "Jo", "Bloggs", Rows.iban(3), "business"], ["E2", "Jo", "Bloggs", Rows.iban(4), ""]], columns: columns)
        try await declared.process(&kinds)
        #expect(Self.column("account_type", of: kinds) == ["company", "individual"], "the column, else the configured type")
    }

    @Test func batchesAResumedRunCommittedBeforeAreLeftAlone() async throws {
        let verifier = ScriptedVerifier(fallback: .answer(.noMatch))
        let stage = VOPStage(columns: Rows.columns, verifier: verifier, committedBatches: [0])
        var batch = Rows.batch([Rows.row(1, iban: Rows.iban(1))])
        try await stage.process(&batch)
        #expect(verifier.calls == 0 && batch.effects.isEmpty && batch.acceptedCount == 1)
    }
}
