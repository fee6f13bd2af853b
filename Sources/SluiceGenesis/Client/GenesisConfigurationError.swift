/// A Genesis setting missing from the environment.
public struct GenesisConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The environment variable to set.
    public var variable: String

    public init(variable: String) { self.variable = variable }

    public var description: String { "\(variable) is not set" }
}
