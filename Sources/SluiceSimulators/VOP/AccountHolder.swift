import SluiceValidation

/// The holder of an account, as the simulated bank knows it.
public struct AccountHolder: Sendable, Hashable, Codable {
    public var name: String
    public var accountType: PayeeAccountType

    public init(name: String, accountType: PayeeAccountType = .individual) {
        self.name = name
        self.accountType = accountType
    }
}
