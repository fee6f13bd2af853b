import SluiceStages

/// What a provider answered about one payee, and what it took to get the answer.
public struct PayeeVerificationAnswer: Sendable, Hashable {
    /// The provider's answer, mapped.
    public var outcome: PayeeVerificationOutcome
    /// The account holder's name a close match returns (EPC CMTC); personal data, never logged.
    public var matchedName: String?
    /// How long the answering call took, from sending the request to reading the whole answer.
    public var providerLatency: Duration
    /// Calls made for this answer, the answering one included (1 when no retry was needed).
    public var attempts: Int

    public init(outcome: PayeeVerificationOutcome, matchedName: String? = nil, providerLatency: Duration, attempts: Int) {
        self.outcome = outcome
        self.matchedName = matchedName
        self.providerLatency = providerLatency
        self.attempts = attempts
    }
}
