import Crypto
import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle
import SluicePostgres
import SluiceServer
import Testing

/// `sluice serve`'s pruning of expired payee-verification answers.
struct VOPCachePruneServiceTests {
    let environment: IntegrationEnvironment

    init() throws {
        environment = try IntegrationEnvironment()
    }

    @Test func expiredAnswersAreDeletedInRoundsAndLiveOnesKept() async throws {
        try await environment.migrate()
        // Answers from long ago, so the cutoff leaves every other test's answers alone.
        let past = Date().addingTimeInterval(-500 * 86_400)
        func key() -> VOPResultCache.Key {
            VOPResultCache.Key(ibanSHA256: Array(SHA256.hash(data: Data(UUID().uuidString.utf8))), normalizedName: "prune test", provider: "epc")
        }
        let expired = (0..<25).map { _ in key() }
        let live = (0..<3).map { _ in key() }
        try await environment.withConnection { connection in
            let cache = VOPResultCache(connection: connection, logger: environment.logger)
            try await cache.store(expired.map {
                ($0, VOPResultCache.CachedAnswer(outcome: .match, answeredAt: past, expiresAt: past.addingTimeInterval(60)))
            })
            try await cache.store(live.map {
                ($0, VOPResultCache.CachedAnswer(outcome: .noMatch, answeredAt: past, expiresAt: past.addingTimeInterval(900 * 86_400)))
            })
        }
        let client = PostgresClient(configuration: environment.database.clientConfiguration, backgroundLogger: environment.logger)
        let service = VOPCachePruneService(database: client, interval: .seconds(3600), logger: environment.logger)
        let deleted = try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await service.pruneOnce(now: past.addingTimeInterval(3600))
        }
        #expect(deleted >= 25)
        let hexes = (expired + live).map { "'\\x" + $0.ibanSHA256.map { String(format: "%02x", $0) }.joined() + "'::bytea" }
        let left = try await environment.scalar(
            "SELECT count(*) FROM sluice.vop_results WHERE iban_sha256 IN (\(hexes.joined(separator: ", ")))")
        #expect(left == 3, "only the live answers are left")
    }
}
