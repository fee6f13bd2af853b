import Crypto
import Foundation
import PostgresNIO
import SluiceCore
import SluicePostgres
import Testing

/// The payee-verification answer cache: one query per batch, a paid answer never replaced
/// while it lives, and stored with its batch or not at all.
struct VOPResultCacheTests {
    typealias Key = VOPResultCache.Key
    typealias Answer = VOPResultCache.CachedAnswer

    let environment: IntegrationEnvironment

    init() throws {
        environment = try IntegrationEnvironment()
    }

    /// A key no other test uses: a random digest, under a provider named for the test.
    static func key(_ name: String = "ERIKA MUSTERMANN", provider: String = "epc") -> Key {
        let digest = SHA256.hash(data: Data(UUID().uuidString.utf8))
        return Key(ibanSHA256: Array(digest), normalizedName: name, provider: provider)
    }

    static func answer(_ outcome: Answer.Outcome, answeredAt: Date = Date(), ttl: TimeInterval = 3600, matchedName: String? = nil,
                       score: Double? = nil, runID: UUID? = nil) -> Answer {
        Answer(outcome: outcome, matchedName: matchedName, score: score, answeredAt: answeredAt, expiresAt: answeredAt.addingTimeInterval(ttl), runID: runID)
    }

    func rows(_ key: Key) async throws -> Int64 {
        let hex = key.ibanSHA256.map { String(format: "%02x", $0) }.joined()
        return try await environment.scalar("""
            SELECT count(*) FROM sluice.vop_results WHERE iban_sha256 = '\\x\(hex)'::bytea
            AND normalized_name = '\(key.normalizedName)' AND provider = '\(key.provider)'
            """)
    }

    @Test func aBatchIsStoredAndLookedUpInOneQuery() async throws {
        try await environment.migrate()
        let now = Date()
        let run = UUID()
        let keys = (0..<50).map { Self.key("NAME \($0)", provider: $0 % 2 == 0 ? "epc" : "bav") }
        let outcomes = Answer.Outcome.allCases
        var answers = keys.enumerated().map { index, key in
            (key, Self.answer(outcomes[index % outcomes.count], answeredAt: now, matchedName: index % 4 == 1 ? "Erika M." : nil,
                              score: index % 3 == 0 ? 0.25 * Double(index % 5) : nil, runID: index % 2 == 0 ? run : nil))
        }
        // A key given twice in one batch keeps its first answer.
        answers.append((keys[0], Self.answer(.noMatch, answeredAt: now)))
        let unknown = Self.key()
        let (written, found) = try await environment.withConnection { connection in
            let cache = VOPResultCache(connection: connection, logger: environment.logger)
            let written = try await cache.store(answers)
            return (written, try await cache.lookup(keys: keys + [unknown], now: now.addingTimeInterval(1)))
        }
        #expect(written == 50)
        #expect(found.count == 50)
        #expect(found[unknown] == nil)
        for (index, key) in keys.enumerated() {
            let answer = try #require(found[key])
            let expected = answers[index].1
            #expect(answer.outcome == expected.outcome)
            #expect(answer.matchedName == expected.matchedName)
            #expect(answer.score == expected.score)
            #expect(answer.runID == expected.runID)
            #expect(abs(answer.expiresAt.timeIntervalSince(expected.expiresAt)) < 0.001)
            #expect(abs(answer.answeredAt.timeIntervalSince(now)) < 0.001)
        }
        // The same name under another provider is another question.
        let otherProvider = Key(ibanSHA256: keys[0].ibanSHA256, normalizedName: keys[0].normalizedName, provider: "other")
        let none = try await environment.withConnection {
            try await VOPResultCache(connection: $0, logger: environment.logger).lookup(keys: [otherProvider], now: now)
        }
        #expect(none.isEmpty)
    }

    @Test func anExpiredAnswerIsNotReturnedAndIsReplacedByANewOne() async throws {
        try await environment.migrate()
        let key = Self.key()
        let now = Date()
        let old = Self.answer(.noMatch, answeredAt: now.addingTimeInterval(-7200), ttl: 3600)
        let fresh = Self.answer(.match, answeredAt: now)
        let (expired, written, found) = try await environment.withConnection { connection in
            let cache = VOPResultCache(connection: connection, logger: environment.logger)
            try await cache.store([(key, old)])
            let expired = try await cache.lookup(keys: [key], now: now)
            let written = try await cache.store([(key, fresh)])
            return (expired, written, try await cache.lookup(keys: [key], now: now))
        }
        #expect(expired.isEmpty)
        #expect(written == 1)
        #expect(found[key]?.outcome == .match)
        #expect(try await rows(key) == 1)
    }

    @Test func aLiveAnswerIsKeptAndASecondStoreDoesNotFail() async throws {
        try await environment.migrate()
        let key = Self.key()
        let now = Date()
        let first = Self.answer(.closeMatch, answeredAt: now, matchedName: "Erika Mustermann", runID: UUID())
        let second = Self.answer(.noMatch, answeredAt: now.addingTimeInterval(60), runID: UUID())
        let (written, found) = try await environment.withConnection { connection in
            let cache = VOPResultCache(connection: connection, logger: environment.logger)
            try await cache.store([(key, first)])
            let written = try await cache.store([(key, second)])
            return (written, try await cache.lookup(keys: [key], now: now.addingTimeInterval(120)))
        }
        #expect(written == 0)
        #expect(found[key]?.outcome == .closeMatch, "the first paid answer wins")
        #expect(found[key]?.runID == first.runID)
        #expect(try await rows(key) == 1)
    }

    @Test func concurrentStoresOfOneKeyBothSucceedAndLeaveOneRow() async throws {
        try await environment.migrate()
        let environment = self.environment
        let shared = Self.key()
        // Overlapping keys in opposite orders: locking in key order keeps them from deadlocking.
        let others = (0..<20).map { _ in Self.key() }
        let now = Date()
        // The second writer starts once the first has stored and while its transaction is still
        // open, so it meets uncommitted rows, waits for the commit, then keeps what was committed.
        let written = try await environment.withConnection { first in
            try await environment.withConnection { second in
                let (firstCount, pending) = try await first.withTransaction(logger: environment.logger) { first in
                    let count = try await VOPResultCache.store(([shared] + others).map { ($0, Self.answer(.match, answeredAt: now)) }, on: first, logger: environment.logger)
                    let pending = Task {
                        try await second.withTransaction(logger: environment.logger) { second in
                            try await VOPResultCache.store((others + [shared]).reversed().map { ($0, Self.answer(.noMatch, answeredAt: now)) }, on: second, logger: environment.logger)
                        }
                    }
                    try await Task.sleep(for: .milliseconds(300))
                    return (count, pending)
                }
                return [0: firstCount, 1: try await pending.value]
            }
        }
        #expect(written == [0: 21, 1: 0], "the first committed answers win, the second writer writes none and does not fail")
        #expect(try await rows(shared) == 1)
        let found = try await environment.withConnection {
            try await VOPResultCache(connection: $0, logger: environment.logger).lookup(keys: [shared] + others, now: now)
        }
        #expect(found.count == 21)
        #expect(found[shared]?.outcome == .match)
    }

    @Test func anAnswerIsStoredOnlyWithItsBatch() async throws {
        try await environment.migrate()
        let lost = Self.key()
        let kept = Self.key()
        let now = Date()
        struct Crash: Error {}
        // The batch's transaction fails after the answer was written, as a crash would end it.
        await #expect(throws: PostgresTransactionError.self) {
            try await environment.withConnection { connection in
                try await connection.withTransaction(logger: environment.logger) { connection in
                    try await VOPResultCache.store([(lost, Self.answer(.match, answeredAt: now))], on: connection, logger: environment.logger)
                    throw Crash()
                }
            }
        }
        try await environment.withConnection { connection in
            try await connection.withTransaction(logger: environment.logger) { connection in
                try await VOPResultCache.store([(kept, Self.answer(.match, answeredAt: now))], on: connection, logger: environment.logger)
            }
        }
        let found = try await environment.withConnection {
            try await VOPResultCache(connection: $0, logger: environment.logger).lookup(keys: [lost, kept], now: now)
        }
        #expect(found[lost] == nil)
        #expect(found[kept]?.outcome == .match)
        #expect(try await rows(lost) == 0)
    }

    @Test func pruneDeletesOnlyExpiredAnswers() async throws {
        try await environment.migrate()
        let now = Date()
        // Far in the past, so that answers other tests left behind are not among them.
        let past = now.addingTimeInterval(-400 * 86_400)
        let expired = (0..<5).map { _ in Self.key() }
        let live = (0..<3).map { _ in Self.key() }
        let (deleted, more) = try await environment.withConnection { connection in
            let cache = VOPResultCache(connection: connection, logger: environment.logger)
            try await cache.store(expired.map { ($0, Self.answer(.noMatch, answeredAt: past, ttl: 60)) })
            try await cache.store(live.map { ($0, Self.answer(.match, answeredAt: past, ttl: 800 * 86_400)) })
            let cutoff = past.addingTimeInterval(3600)
            let first = try await cache.prune(expiredBefore: cutoff, limit: 3)
            #expect(first == 3, "at most `limit` rows a pass")
            let deleted = try await cache.prune(expiredBefore: cutoff, limit: 1_000)
            return (first + deleted, try await cache.prune(expiredBefore: cutoff, limit: 1_000))
        }
        #expect(deleted >= 5)
        #expect(more == 0)
        for key in expired { #expect(try await rows(key) == 0) }
        for key in live { #expect(try await rows(key) == 1) }
    }

    @Test func aCacheEffectRoundTripsAndKeepsALiveAnswer() async throws {
        try await environment.migrate()
        let now = Date()
        let live = Self.key()
        let new = Self.key("JOHN DOE", provider: "bav")
        let answers = [
            (live, Self.answer(.noMatch, answeredAt: now, runID: UUID())),
            (new, Self.answer(.closeMatch, answeredAt: now, matchedName: "John \\ Doe\tJr", score: 0.875)),
        ]
        let effect = VOPCacheEffect(answers: answers).stageEffect
        let decoded = try #require(try VOPCacheEffect(effect))
        #expect(decoded.answers.map(\.0) == answers.map(\.0))
        for (got, want) in zip(decoded.answers.map(\.1), answers.map(\.1)) {
            #expect(got.outcome == want.outcome && got.matchedName == want.matchedName && got.score == want.score && got.runID == want.runID)
            #expect(abs(got.answeredAt.timeIntervalSince(want.answeredAt)) < 0.001)
            #expect(abs(got.expiresAt.timeIntervalSince(want.expiresAt)) < 0.001)
        }
        #expect(try VOPCacheEffect(StageEffect(table: "sluice.billing_jobs", columns: ["x"], rows: [["1"]])) == nil)
        #expect(throws: SluiceError.self) {
            try VOPCacheEffect(StageEffect(table: VOPCacheEffect.table, columns: VOPCacheEffect.columns, rows: [Array(repeating: "x", count: 9)]))
        }
        let written = try await environment.withConnection { connection in
            try await VOPResultCache(connection: connection, logger: environment.logger).store([(live, Self.answer(.match, answeredAt: now))])
            return try await connection.withTransaction(logger: environment.logger) { connection in
                try await decoded.apply(on: connection, logger: environment.logger)
            }
        }
        #expect(written == 1, "the live answer is kept, the new one written")
        let found = try await environment.withConnection {
            try await VOPResultCache(connection: $0, logger: environment.logger).lookup(keys: [live, new], now: now)
        }
        #expect(found[live]?.outcome == .match)
        #expect(found[new]?.matchedName == "John \\ Doe\tJr")
        #expect(found[new]?.score == 0.875)
    }
}
