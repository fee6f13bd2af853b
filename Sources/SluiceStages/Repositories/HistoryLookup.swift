/// What screening asks about billing history, per batch: which of these IBANs were charged
/// back, or charged by another run within the cooldown window. `AttemptHistory` answers from
/// PostgreSQL; tests answer from memory.
public protocol HistoryLookup: Sendable {
    /// IBANs that may have history, for logs.
    var candidates: Int { get }

    /// Flags for those of `digests` that have any history; others are absent.
    func historyFlags(for digests: [IBANDigest]) async throws -> [IBANDigest: HistoryFlags]
}

extension AttemptHistory: HistoryLookup {
    public func historyFlags(for digests: [IBANDigest]) async throws -> [IBANDigest: HistoryFlags] {
        try await flags(for: digests)
    }
}
