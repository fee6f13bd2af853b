import Foundation
import Logging
import PostgresNIO
import SluiceCore

/// Paid payee-verification answers carried as a batch's `StageEffect`, so they commit in the
/// batch's transaction (exactly once, with its rows and checkpoint).
///
/// The effect names `sluice.vop_results` with ``columns`` in PostgreSQL's text forms (the
/// digest as `\x` and 64 hex digits, times in ISO 8601). It must not be COPied like other
/// effects: COPY fails on a key that already has a row. The sink recognises it with
/// ``init(_:)`` and writes it with ``apply(on:logger:)``, an upsert that keeps live answers.
///
/// ```swift
/// if let cache = try VOPCacheEffect(effect) {
///     try await cache.apply(on: connection, logger: logger)
/// } else {
///     // COPY as before
/// }
/// ```
public struct VOPCacheEffect: Sendable {
    public static let table = "sluice.vop_results"
    public static let columns = [
        "iban_sha256", "normalized_name", "provider", "outcome", "matched_name", "score", "answered_at", "expires_at", "run_id",
    ]

    public var answers: [(VOPResultCache.Key, VOPResultCache.CachedAnswer)]

    public init(answers: [(VOPResultCache.Key, VOPResultCache.CachedAnswer)]) {
        self.answers = answers
    }

    /// The answers of an effect that names ``table``; `nil` for any other effect.
    /// - Throws: `SluiceError` `.internalError` when the effect's columns or values are not this layout's.
    public init?(_ effect: StageEffect) throws {
        guard effect.table == Self.table else { return nil }
        guard effect.columns == Self.columns else {
            throw SluiceError(.internalError, "a \(Self.table) stage effect has columns \(effect.columns), expected \(Self.columns)", stage: "sink")
        }
        answers = try effect.textRows.enumerated().map { index, row in
            guard row.count == Self.columns.count,
                  let hex = row[0], let digest = Self.digest(hex), let name = row[1], let provider = row[2],
                  let outcome = row[3].flatMap(VOPResultCache.CachedAnswer.Outcome.init(rawValue:)),
                  let answeredAt = row[6].flatMap(Self.date), let expiresAt = row[7].flatMap(Self.date)
            else {
                // No values in the message: they are personal data.
                throw SluiceError(.internalError, "row \(index) of a \(Self.table) stage effect is malformed", stage: "sink")
            }
            let score = try row[5].map { text in
                guard let value = Double(text) else {
                    throw SluiceError(.internalError, "row \(index) of a \(Self.table) stage effect has a malformed score", stage: "sink")
                }
                return value
            }
            let runID = try row[8].map { text in
                guard let value = UUID(uuidString: text) else {
                    throw SluiceError(.internalError, "row \(index) of a \(Self.table) stage effect has a malformed run id", stage: "sink")
                }
                return value
            }
            return (VOPResultCache.Key(ibanSHA256: digest, normalizedName: name, provider: provider),
                    VOPResultCache.CachedAnswer(outcome: outcome, matchedName: row[4], score: score, answeredAt: answeredAt, expiresAt: expiresAt, runID: runID))
        }
    }

    /// The effect a stage adds to its batch.
    public var stageEffect: StageEffect {
        StageEffect(table: Self.table, columns: Self.columns, rows: answers.map { key, answer in
            [
                "\\x" + key.ibanSHA256.map { String(format: "%02x", $0) }.joined(),
                key.normalizedName,
                key.provider,
                answer.outcome.rawValue,
                answer.matchedName,
                answer.score.map { "\($0)" },
                answer.answeredAt.formatted(Self.timeFormat),
                answer.expiresAt.formatted(Self.timeFormat),
                answer.runID?.uuidString.lowercased(),
            ]
        })
    }

    /// Writes the answers on `connection`, inside the batch's transaction: see ``VOPResultCache/store(_:on:logger:)``.
    @discardableResult
    public func apply(on connection: PostgresConnection, logger: Logger) async throws -> Int {
        try await VOPResultCache.store(answers, on: connection, logger: logger)
    }

    static let timeFormat = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    static func date(_ text: String) -> Date? {
        try? timeFormat.parse(text)
    }

    /// 32 bytes from `\x` and 64 hex digits.
    static func digest(_ text: String) -> [UInt8]? {
        let hex = Array(text.utf8)
        guard hex.count == 66, hex[0] == UInt8(ascii: "\\"), hex[1] == UInt8(ascii: "x") else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        var index = 2
        while index < hex.count {
            guard let high = nibble(hex[index]), let low = nibble(hex[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    static func nibble(_ char: UInt8) -> UInt8? {
        switch char {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): char - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): char - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): char - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
