import SluiceStages

/// A payee verification that got no usable answer.
///
/// It carries the IBAN masked only (`DE89**************3000`), never the name, so both
/// `description` and `debugDescription` may be logged; `debugDescription` adds the underlying error.
public struct PayeeVerifierError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// A stable, machine-readable category.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        let raw: String
        public var description: String { raw }

        /// Every attempt failed with a retryable failure (5xx, 429, timeout, connection).
        public static let attemptsExhausted = Code(raw: "attempts_exhausted")
        /// The provider refused the request (a 4xx other than 429): retrying would not help.
        public static let rejected = Code(raw: "rejected")
        /// The provider answered 2xx with something that is not a known answer.
        public static let invalidAnswer = Code(raw: "invalid_answer")
    }

    public var code: Code
    /// Which provider kind was called.
    public var provider: VOPProvider
    /// How the last attempt failed.
    public var failure: ProviderFailure
    /// Calls made, the last one included.
    public var attempts: Int
    /// The IBAN, masked (`IBANMask`).
    public var maskedIBAN: String
    /// The error behind the last failure (an AsyncHTTPClient error, a decoding error), if any.
    public var underlying: (any Error)?

    public init(_ code: Code, provider: VOPProvider, failure: ProviderFailure, attempts: Int, maskedIBAN: String, underlying: (any Error)? = nil) {
        self.code = code
        self.provider = provider
        self.failure = failure
        self.attempts = attempts
        self.maskedIBAN = maskedIBAN
        self.underlying = underlying
    }

    public var description: String {
        let what: String
        switch failure {
        case .status(let status, let retryAfter):
            what = "HTTP \(status)" + (retryAfter.map { " (Retry-After \($0))" } ?? "")
        case .timeout: what = "timeout"
        case .connection: what = "connection failed"
        case .invalidAnswer: what = "invalid answer"
        }
        let calls = attempts == 1 ? "1 attempt" : "\(attempts) attempts"
        return "\(provider.displayName) verification of \(maskedIBAN) failed: \(what) after \(calls) [\(code)]"
    }

    public var debugDescription: String {
        guard let underlying else { return description }
        return description + ": \(String(reflecting: underlying))"
    }
}
