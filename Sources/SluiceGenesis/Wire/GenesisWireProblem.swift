/// A gateway document that parsed as XML but is not the message expected: a missing or
/// invalid field, or the wrong root element.
public struct GenesisWireProblem: Error, Sendable, Hashable, CustomStringConvertible {
    /// The element or attribute at fault (`amount`, `billing_address/country`, `<root>`).
    public var field: String
    /// What is wrong with it, without its value (which may be personal data).
    public var reason: String

    public init(field: String, reason: String) {
        self.field = field
        self.reason = reason
    }

    public var description: String { "gateway message: \(field): \(reason)" }
}
