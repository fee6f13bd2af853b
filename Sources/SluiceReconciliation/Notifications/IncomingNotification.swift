import SluiceGenesis

/// A notification as the webhook received it, before it is stored: the endpoint's terminal,
/// the parsed fields, whether the signature held, the body as sent and who sent it.
public struct IncomingNotification: Sendable, Hashable {
    public var terminal: String
    public var notification: GenesisNotification
    public var signatureOK: Bool
    public var body: String
    public var sourceAddress: String

    public init(terminal: String, notification: GenesisNotification, signatureOK: Bool, body: String, sourceAddress: String) {
        self.terminal = terminal
        self.notification = notification
        self.signatureOK = signatureOK
        self.body = body
        self.sourceAddress = sourceAddress
    }

    /// What makes two notifications the same one.
    var key: String {
        [notification.uniqueID, notification.transactionType, notification.status, notification.event].joined(separator: "\u{1F}")
    }
}
