import Foundation
import Logging
import PostgresNIO
import SluiceCore

/// What `sluice.billing_attempts` says about the IBANs of a batch, without a query per row.
///
/// Attempts grow without bound (1M rows and more), and most IBANs of a file have no relevant
/// history. So a run first loads a `HistoryFilter` of the IBANs that may matter (charged back
/// ever, or attempted within the cooldown window), one query; each batch then sends only its
/// candidates, usually none or a handful, to PostgreSQL in one query that answers exactly.
/// Attempts recorded while the run is in progress apply from the next run.
public final class AttemptHistory: Sendable {
    let connection: PostgresConnection
    let runID: UUID
    let cooldownDays: Int
    let logger: Logger
    private let filter: HistoryFilter

    /// Loads the filter for `runID`.
    public init(connection: PostgresConnection, runID: UUID, cooldownDays: Int, logger: Logger) async throws {
        self.connection = connection
        self.runID = runID
        self.cooldownDays = cooldownDays
        self.logger = logger
        var prefixes: [UInt64] = []
        do {
            let rows = try await connection.query("""
                SELECT DISTINCT substring(iban_hash FROM 1 FOR 8) FROM sluice.billing_attempts
                WHERE chargeback_at IS NOT NULL
                   OR (attempted_at > now() - make_interval(days => \(cooldownDays)::int) AND run_id IS DISTINCT FROM \(runID))
                """, logger: logger)
            for try await prefix in rows.decode(ByteBuffer.self) {
                guard prefix.readableBytes == 8 else { continue }
                var word: UInt64 = 0
                withUnsafeMutableBytes(of: &word) { target in
                    prefix.withUnsafeReadableBytes { target.copyMemory(from: $0) }
                }
                prefixes.append(word)
            }
        } catch {
            throw SluiceError(.database, "cannot read earlier billing attempts", stage: "screen", underlying: error)
        }
        filter = HistoryFilter(prefixes: prefixes)
    }

    /// IBANs that may have history, for logs.
    public var candidates: Int { filter.count }

    /// Flags for those of `digests` that have any history; others are absent.
    public func flags(for digests: some Collection<IBANDigest>) async throws -> [IBANDigest: HistoryFlags] {
        // Only candidates travel, once each; most batches have none.
        let digests = Set(digests.filter(filter.mayHaveHistory))
        guard !digests.isEmpty else { return [:] }
        var packed = ByteBuffer()
        packed.reserveCapacity(digests.count * 32)
        for digest in digests { packed.writeBytes(digest.bytes) }
        var result: [IBANDigest: HistoryFlags] = [:]
        do {
            // The digests travel as one bytea cut into 32-byte pieces server-side: one
            // parameter, no array encoding, and an index scan with `= ANY`.
            let rows = try await connection.query("""
                WITH input(p) AS (SELECT \(packed)::bytea)
                SELECT a.iban_hash,
                    bool_or(a.chargeback_at IS NOT NULL),
                    bool_or(a.run_id IS DISTINCT FROM \(runID)
                        AND a.attempted_at > now() - make_interval(days => \(cooldownDays)::int))
                FROM sluice.billing_attempts a
                WHERE a.iban_hash = ANY(ARRAY(
                    SELECT substring(input.p FROM g * 32 + 1 FOR 32)
                    FROM input, generate_series(0, length(input.p) / 32 - 1) AS g))
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
