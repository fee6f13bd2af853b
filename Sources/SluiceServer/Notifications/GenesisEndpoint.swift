/// One notification endpoint: the secret token in its URL, the terminal it belongs to and the
/// terminal's API password, which signs the terminal's notifications.
public struct GenesisEndpoint: Sendable, Hashable {
    public var token: String
    public var terminal: String
    public var password: String

    public init(token: String, terminal: String, password: String) {
        self.token = token
        self.terminal = terminal
        self.password = password
    }
}
