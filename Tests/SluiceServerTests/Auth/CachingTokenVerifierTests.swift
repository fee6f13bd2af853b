import Foundation
import SluiceServer
import Synchronization
import Testing

/// A node asks the database about a token at most once per TTL, and never caches a refusal.
struct CachingTokenVerifierTests {
    final class CountingTokens: TokenVerifier {
        let known = Mutex<[String: Caller]>([:])
        let asked = Mutex(0)

        func caller(for secret: String) async throws -> Caller? {
            asked.withLock { $0 += 1 }
            return known.withLock { $0[secret] }
        }
    }

    @Test func aKnownTokenIsAskedOncePerTTLAndARevokedOneStopsAfterIt() async throws {
        let base = CountingTokens()
        base.known.withLock { $0["slc_a"] = Caller(name: "a", role: .viewer, tokenID: 1) }
        let cache = CachingTokenVerifier(base, ttl: .milliseconds(300))
        for _ in 0 ..< 5 { #expect(try await cache.caller(for: "slc_a")?.name == "a") }
        #expect(base.asked.withLock { $0 } == 1)
        base.known.withLock { $0["slc_a"] = nil }    // revoked
        #expect(try await cache.caller(for: "slc_a")?.name == "a", "still remembered within the TTL")
        try await Task.sleep(for: .milliseconds(400))
        #expect(try await cache.caller(for: "slc_a") == nil, "asked again after the TTL: refused")
        #expect(base.asked.withLock { $0 } == 2)
    }

    @Test func anUnknownTokenIsAskedEveryTime() async throws {
        let base = CountingTokens()
        let cache = CachingTokenVerifier(base, ttl: .seconds(60))
        for _ in 0 ..< 3 { #expect(try await cache.caller(for: "slc_nobody") == nil) }
        #expect(base.asked.withLock { $0 } == 3, "a token created a moment later works at once")
    }
}
