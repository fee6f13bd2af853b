import Foundation
import Logging
import PostgresNIO
import SluiceCore

/// What earlier charges say about an IBAN.
public struct HistoryFlags: Sendable, Hashable {
    /// Some attempt on this IBAN was charged back, in any run.
    public var chargedBack: Bool
    /// Another run charged this IBAN within the cooldown window.
    public var recentlyAttempted: Bool

    public init(chargedBack: Bool, recentlyAttempted: Bool) {
        self.chargedBack = chargedBack
        self.recentlyAttempted = recentlyAttempted
    }
}

/// Looks up `sluice.billing_attempts` for a whole batch of IBANs in one query.
///
/// Earlier attempts grow without bound (1M rows and more), so unlike the blacklist they are
/// not loaded into memory: each batch sends its distinct IBAN digests as one `bytea` and the
/// database answers only for the IBANs that have history, through the `iban_hash` index.
public struct AttemptHistory: Sendable {
    let connection: PostgresConnection
    let runID: UUID
    let cooldownDays: Int
    let logger: Logger

    public init(connection: PostgresConnection, runID: UUID, cooldownDays: Int, logger: Logger) {
        self.connection = connection
        self.runID = runID
        self.cooldownDays = cooldownDays
        self.logger = logger
    }

    /// Flags for those of `digests` that have any history; others are absent.
    public func flags(for digests: some Collection<IBANDigest>) async throws -> [IBANDigest: HistoryFlags] {
        guard !digests.isEmpty else { return [:] }
        var packed = ByteBuffer()
        packed.reserveCapacity(digests.count * 32)
        for digest in digests { packed.writeBytes(digest.bytes) }
        var result: [IBANDigest: HistoryFlags] = [:]
        do {
            // The digests travel as one bytea cut into 32-byte pieces server-side: one
            // parameter, no array encoding, and a nested loop over the index.
            let rows = try await connection.query("""
                WITH input(p) AS (SELECT \(packed)::bytea),
                probe(h) AS (
                    SELECT DISTINCT substring(input.p FROM g * 32 + 1 FOR 32)
                    FROM input, generate_series(0, length(input.p) / 32 - 1) AS g)
                SELECT a.iban_hash,
                    bool_or(a.chargeback_at IS NOT NULL),
                    bool_or(a.run_id IS DISTINCT FROM \(runID)
                        AND a.attempted_at > now() - make_interval(days => \(cooldownDays)::int))
                FROM probe JOIN sluice.billing_attempts a ON a.iban_hash = probe.h
                GROUP BY a.iban_hash
                """, logger: logger)
            for try await (hash, chargedBack, recent) in rows.decode((ByteBuffer, Bool, Bool).self) {
                let bytes = Array(hash.readableBytesView)
                guard bytes.count == 32 else { continue }
                let digest = bytes.withUnsafeBufferPointer { IBANDigest(raw: $0) }
                result[digest] = HistoryFlags(chargedBack: chargedBack, recentlyAttempted: recent)
            }
        } catch {
            throw SluiceError(.database, "cannot read earlier billing attempts", stage: "screen", underlying: error)
        }
        return result
    }
}
