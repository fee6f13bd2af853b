/// How one call to a payee-verification provider failed.
public enum ProviderFailure: Sendable, Hashable {
    /// The provider answered with a status other than 2xx, and perhaps a `Retry-After`
    /// (already parsed with `RetryAfter.parse`).
    case status(Int, retryAfter: Duration? = nil)
    /// No answer within the call's timeout.
    case timeout
    /// The connection could not be made or broke (refused, reset, TLS, DNS).
    case connection
    /// A 2xx answer Sluice could not read: malformed JSON, an unknown match code.
    case invalidAnswer

    /// Whether another attempt may fare better: 5xx, 429, timeouts and connection errors. Any
    /// other 4xx is a request the provider will refuse again, and an unreadable answer will be
    /// unreadable again.
    public var isRetryable: Bool {
        switch self {
        case .status(let code, _): code == 429 || (500 ... 599).contains(code)
        case .timeout, .connection: true
        case .invalidAnswer: false
        }
    }

    /// Whether the failure says the provider is unwell, and counts in the circuit breaker's
    /// window. A 4xx other than 429 is the request's fault, not the provider's.
    public var countsAgainstProvider: Bool {
        switch self {
        case .status(let code, _): code == 429 || (500 ... 599).contains(code)
        case .timeout, .connection, .invalidAnswer: true
        }
    }

    /// The `Retry-After` the provider sent, if any.
    public var retryAfter: Duration? {
        if case .status(_, let retryAfter) = self { return retryAfter }
        return nil
    }
}
