import Foundation
import SluicePostgres

/// Where the payee-verification stage finds answers paid for earlier: `VOPResultCache` in
/// PostgreSQL, or a dictionary in tests. One call per batch, with all of its distinct payees.
public protocol VOPAnswerLookup: Sendable {
    /// The live answers among `keys` at `now`; keys without one are absent.
    func lookup(keys: [VOPResultCache.Key], now: Date) async throws -> [VOPResultCache.Key: VOPResultCache.CachedAnswer]
}

extension VOPResultCache: VOPAnswerLookup {}
