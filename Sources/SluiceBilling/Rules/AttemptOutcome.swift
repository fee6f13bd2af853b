/// How a settled attempt counts for its profile.
public enum AttemptOutcome: Sendable, Hashable {
    /// The gateway took the charge: approved (`final`), or pending at the gateway.
    case accepted(final: Bool)
    /// Declined or an error: nothing was charged.
    case refused
}
