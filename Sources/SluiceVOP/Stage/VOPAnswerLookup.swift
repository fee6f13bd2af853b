import Foundation
import SluicePostgres

/// Where the payee-verification stage finds answers paid for earlier: `VOPResultCache` in
/// PostgreSQL, or a dictionary in tests. One call per batch, with all of its distinct payees.
public protocol VOPAnswerLookup: Sendable {
    /// The live answer of each of `keys` at `now`, in their order; `nil` where there is none.
    func answers(for keys: [VOPResultCache.Key], now: Date) async throws -> [VOPResultCache.CachedAnswer?]
}

extension VOPResultCache: VOPAnswerLookup {}
