/// A fault the VOP simulator injects into one call.
public enum VOPFault: String, Sendable, Hashable, Codable, CaseIterable {
    /// Answer `errorStatus` (503 by default) after the latency.
    case error
    /// Answer nothing for `timeoutMs` (then 504): the client's timeout fires first.
    case timeout
    /// Answer 429 with `Retry-After: retryAfterSeconds`.
    case rateLimit
}
