import Foundation
import Logging
import NIOCore
import PostgresNIO
import SluiceCore

/// `sluice.vop_results`: paid payee-verification answers, kept until they expire so that the
/// same question (IBAN, name, provider) is never paid for twice.
///
/// A whole batch is looked up in one query. Answers are stored in the transaction of the
/// batch that paid for them (``store(_:on:logger:)``), so a crash loses the answer only
/// together with its batch, which is then verified again. Storing never replaces a live
/// answer and never fails on one: when two runs paid for the same answer at once, the first
/// committed wins and the second is dropped.
public struct VOPResultCache: Sendable {
    /// What an answer is cached under.
    public struct Key: Hashable, Sendable {
        /// The SHA-256 of the normalised IBAN, 32 bytes (`IBANDigest.bytes`).
        public var ibanSHA256: [UInt8]
        public var normalizedName: String
        /// The provider that answered, e.g. `epc` or `bav`: answers of different providers differ.
        public var provider: String

        public init(ibanSHA256: [UInt8], normalizedName: String, provider: String) {
            precondition(ibanSHA256.count == 32, "a SHA-256 digest has 32 bytes")
            self.ibanSHA256 = ibanSHA256
            self.normalizedName = normalizedName
            self.provider = provider
        }
    }

    /// A provider's answer, as cached.
    public struct CachedAnswer: Hashable, Sendable {
        /// The outcomes worth caching; `unavailable` (no answer) never is.
        public enum Outcome: String, Hashable, Sendable, CaseIterable {
            case match
            case closeMatch = "close_match"
            case noMatch = "no_match"
            case notPossible = "not_possible"
        }

        public var outcome: Outcome
        /// The account holder's name the provider returned with a close match.
        public var matchedName: String?
        public var score: Double?
        public var answeredAt: Date
        /// The answer is used until this moment, and may be replaced from then on.
        public var expiresAt: Date
        /// The run that paid for the answer.
        public var runID: UUID?

        public init(outcome: Outcome, matchedName: String? = nil, score: Double? = nil, answeredAt: Date, expiresAt: Date, runID: UUID? = nil) {
            self.outcome = outcome
            self.matchedName = matchedName
            self.score = score
            self.answeredAt = answeredAt
            self.expiresAt = expiresAt
            self.runID = runID
        }
    }

    let connection: PostgresConnection
    let logger: Logger

    public init(connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    /// The live answers for `keys`, in one query: a key with no answer, or only an expired
    /// one at `now`, is absent from the result.
    public func lookup(keys: [Key], now: Date) async throws -> [Key: CachedAnswer] {
        var found: [Key: CachedAnswer] = [:]
        for (key, answer) in zip(keys, try await answers(for: keys, now: now)) {
            if let answer { found[key] = answer }
        }
        return found
    }

    /// The live answer of each key, in the keys' order (`nil` for none), in one query: the
    /// form for a batch, which needs no dictionary of its keys.
    public func answers(for keys: [Key], now: Date) async throws -> [CachedAnswer?] {
        guard !keys.isEmpty else { return [] }
        // Probed in key order, so consecutive probes walk the index forwards (fewer pages touched
        // and read than in the batch's order); `order` maps them back.
        let order = keys.indices.sorted { Self.precedes(keys[$0], keys[$1]) }
        let hashes = order.map { ByteBuffer(bytes: keys[$0].ibanSHA256) }
        let names = order.map { keys[$0].normalizedName }
        let providers = order.map { keys[$0].provider }
        do {
            var found = [CachedAnswer?](repeating: nil, count: keys.count)
            // One primary-key probe per key (LATERAL): given the batch's thousands of keys as
            // a plain join, the planner hashes the whole table instead, spilling to disk,
            // which took 0.5 s a batch at a million cached answers against 0.1 s this way.
            let rows = try await connection.query("""
                SELECT k.i, r.outcome, r.matched_name, r.score, r.answered_at, r.expires_at, r.run_id
                FROM unnest(\(hashes)::bytea[], \(names)::text[], \(providers)::text[]) WITH ORDINALITY AS k(h, n, p, i)
                CROSS JOIN LATERAL (
                    SELECT outcome, matched_name, score, answered_at, expires_at, run_id FROM sluice.vop_results v
                    WHERE v.iban_sha256 = k.h AND v.normalized_name = k.n AND v.provider = k.p AND v.expires_at > \(now)
                    OFFSET 0) r
                """, logger: logger)
            for try await (index, outcome, matchedName, score, answeredAt, expiresAt, runID)
                in rows.decode((Int64, String, String?, Double?, Date, Date, UUID?).self) {
                guard let outcome = CachedAnswer.Outcome(rawValue: outcome), (1...Int64(keys.count)).contains(index) else { continue }
                found[order[Int(index) - 1]] = CachedAnswer(
                    outcome: outcome, matchedName: matchedName, score: score, answeredAt: answeredAt, expiresAt: expiresAt, runID: runID)
            }
            return found
        } catch {
            throw SluiceError(.database, "cannot look up \(keys.count) cached payee verification answers", underlying: error)
        }
    }

    /// Stores answers on the cache's own connection; see ``store(_:on:logger:)``.
    @discardableResult
    public func store(_ answers: [(Key, CachedAnswer)]) async throws -> Int {
        try await Self.store(answers, on: connection, logger: logger)
    }

    /// Stores answers on `connection`, meant to run inside the transaction of the batch that
    /// paid for them so that they commit with it or not at all.
    ///
    /// One `INSERT … ON CONFLICT DO UPDATE … WHERE`: a key with a live answer (one that has
    /// not expired by the new answer's `answeredAt`) keeps it, without an error; an expired
    /// one is replaced. A second writer of the same key waits for the first one's transaction
    /// and then keeps what it committed. Of a key given twice, the first answer is stored.
    /// Rows are written in key order, so two batches with overlapping keys cannot deadlock.
    ///
    /// - Returns: how many answers were written (new or replacing an expired one).
    @discardableResult
    public static func store(_ answers: [(Key, CachedAnswer)], on connection: PostgresConnection, logger: Logger) async throws -> Int {
        // ON CONFLICT DO UPDATE cannot touch one row twice in a statement: one answer per key.
        var seen = Set<Key>()
        let unique = answers.filter { seen.insert($0.0).inserted }.sorted { Self.precedes($0.0, $1.0) }
        guard !unique.isEmpty else { return 0 }
        // Arrays cannot carry NULLs through PostgresNIO's encoders: optional columns travel with a mask.
        let hashes = unique.map { ByteBuffer(bytes: $0.0.ibanSHA256) }
        let names = unique.map(\.0.normalizedName)
        let providers = unique.map(\.0.provider)
        let outcomes = unique.map(\.1.outcome.rawValue)
        let matchedNames = unique.map { $0.1.matchedName ?? "" }
        let hasMatchedName = unique.map { $0.1.matchedName != nil }
        let scores = unique.map { $0.1.score ?? 0 }
        let hasScore = unique.map { $0.1.score != nil }
        let answeredAt = unique.map(\.1.answeredAt)
        let expiresAt = unique.map(\.1.expiresAt)
        let runIDs = unique.map { $0.1.runID ?? UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)) }
        let hasRunID = unique.map { $0.1.runID != nil }
        do {
            var written = 0
            let rows = try await connection.query("""
                INSERT INTO sluice.vop_results AS stored
                    (iban_sha256, normalized_name, provider, outcome, matched_name, score, answered_at, expires_at, run_id)
                SELECT v.h, v.n, v.p, v.o, CASE WHEN v.hm THEN v.m END, CASE WHEN v.hs THEN v.s END, v.a, v.e, CASE WHEN v.hr THEN v.r END
                FROM unnest(\(hashes)::bytea[], \(names)::text[], \(providers)::text[], \(outcomes)::text[],
                            \(matchedNames)::text[], \(hasMatchedName)::bool[], \(scores)::float8[], \(hasScore)::bool[],
                            \(answeredAt)::timestamptz[], \(expiresAt)::timestamptz[], \(runIDs)::uuid[], \(hasRunID)::bool[])
                     WITH ORDINALITY AS v(h, n, p, o, m, hm, s, hs, a, e, r, hr, i)
                ORDER BY v.i
                ON CONFLICT (iban_sha256, normalized_name, provider) DO UPDATE SET
                    outcome = EXCLUDED.outcome, matched_name = EXCLUDED.matched_name, score = EXCLUDED.score,
                    answered_at = EXCLUDED.answered_at, expires_at = EXCLUDED.expires_at, run_id = EXCLUDED.run_id
                WHERE stored.expires_at <= EXCLUDED.answered_at
                RETURNING 1
                """, logger: logger)
            for try await _ in rows { written += 1 }
            return written
        } catch {
            throw SluiceError(.database, "cannot store \(unique.count) payee verification answers", underlying: error)
        }
    }

    /// Deletes up to `limit` answers that expired before `expiredBefore`; returns how many.
    /// Rows another transaction is writing are skipped, for the next pass. The rows are chosen
    /// once, in a materialised CTE: written as `IN (SELECT … LIMIT … SKIP LOCKED)` the limit did
    /// not hold (a pass with limit 3 deleted 5 rows), the subquery not being run just once.
    @discardableResult
    public func prune(expiredBefore: Date, limit: Int = 10_000) async throws -> Int {
        do {
            var deleted = 0
            let rows = try await connection.query("""
                WITH doomed AS MATERIALIZED (
                    SELECT iban_sha256, normalized_name, provider FROM sluice.vop_results
                    WHERE expires_at < \(expiredBefore) ORDER BY expires_at LIMIT \(limit)
                    FOR UPDATE SKIP LOCKED)
                DELETE FROM sluice.vop_results r USING doomed d
                WHERE r.iban_sha256 = d.iban_sha256 AND r.normalized_name = d.normalized_name AND r.provider = d.provider
                RETURNING 1
                """, logger: logger)
            for try await _ in rows { deleted += 1 }
            return deleted
        } catch {
            throw SluiceError(.database, "cannot prune expired payee verification answers", underlying: error)
        }
    }

    /// One total order on keys, the order rows are locked in.
    static func precedes(_ left: Key, _ right: Key) -> Bool {
        if left.ibanSHA256 != right.ibanSHA256 { return left.ibanSHA256.lexicographicallyPrecedes(right.ibanSHA256) }
        if left.normalizedName != right.normalizedName { return Array(left.normalizedName.utf8).lexicographicallyPrecedes(Array(right.normalizedName.utf8)) }
        return Array(left.provider.utf8).lexicographicallyPrecedes(Array(right.provider.utf8))
    }
}
