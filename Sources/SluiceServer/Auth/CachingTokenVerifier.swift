import Crypto
import Foundation
import Synchronization

/// Remembers what another verifier said of a token for `ttl`, so a busy client does not cost a
/// database query per request. Only tokens that were found are remembered (an unknown secret is
/// asked again each time), and by the SHA-256 of the secret, never the secret. The price: a
/// revoked token keeps working on a node for at most `ttl` (`SLUICE_TOKEN_CACHE_SECONDS`).
public final class CachingTokenVerifier: TokenVerifier {
    let base: any TokenVerifier
    let ttl: Duration
    let capacity: Int
    private let entries = Mutex<[Data: (caller: Caller, until: ContinuousClock.Instant)]>([:])

    public init(_ base: any TokenVerifier, ttl: Duration, capacity: Int = 4096) {
        self.base = base
        self.ttl = ttl
        self.capacity = capacity
    }

    public func caller(for secret: String) async throws -> Caller? {
        let key = Data(SHA256.hash(data: Data(secret.utf8)))
        let now = ContinuousClock.now
        if let cached = entries.withLock({ $0[key] }), cached.until > now { return cached.caller }
        guard let caller = try await base.caller(for: secret) else {
            entries.withLock { _ = $0.removeValue(forKey: key) }
            return nil
        }
        entries.withLock { entries in
            // Past the capacity (many tokens at once), start over rather than track ages.
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[key] = (caller, now + ttl)
        }
        return caller
    }
}
