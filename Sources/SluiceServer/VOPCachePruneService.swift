import AsyncAlgorithms
import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle
import SluicePostgres

/// Deletes expired payee-verification answers from `sluice.vop_results` every `interval`, so
/// the cache does not grow without end. Every node may run it: `VOPResultCache.prune` skips the
/// rows another node is deleting.
public struct VOPCachePruneService: Service {
    let database: PostgresClient
    let interval: Duration
    let logger: Logger

    public init(database: PostgresClient, interval: Duration, logger: Logger) {
        self.database = database
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        for await _ in AsyncTimerSequence(interval: interval, clock: .continuous).cancelOnGracefulShutdown() {
            do {
                let deleted = try await pruneOnce()
                if deleted > 0 { logger.info("pruned expired payee verification answers", metadata: ["count": "\(deleted)"]) }
            } catch {
                // Tried again at the next tick; the database may be back.
                logger.warning("cannot prune payee verification answers", metadata: ["error": "\(String(reflecting: error))"])
            }
        }
    }

    /// Deletes every answer expired now, 10,000 at a time; returns how many.
    public func pruneOnce(now: Date = Date()) async throws -> Int {
        let limit = 10_000
        var total = 0
        while !Task.isCancelled {
            let deleted = try await database.withConnection { connection in
                try await VOPResultCache(connection: connection, logger: logger).prune(expiredBefore: now, limit: limit)
            }
            total += deleted
            if deleted < limit { break }
        }
        return total
    }
}
