import SluiceValidation

/// One payee to verify: the account's IBAN and the name the payer gave for it.
public struct PayeeVerificationRequest: Sendable, Hashable {
    /// The IBAN, in any spacing and case; clients send it compact and upper-case.
    public var iban: String
    /// The payee's name as the debtor file gives it.
    public var name: String
    /// Whether the payee is a person or a company. EPC and BAV responders judge the name by
    /// their own holder's type, so the clients do not send it; it is kept for the stage's
    /// cache key and reports.
    public var accountType: PayeeAccountType

    public init(iban: String, name: String, accountType: PayeeAccountType = .individual) {
        self.iban = iban
        self.name = name
        self.accountType = accountType
    }

    /// The IBAN without spaces, upper-cased: what goes on the wire.
    var compactIBAN: String {
        String(iban.unicodeScalars.filter { !$0.properties.isWhitespace }.map(Character.init)).uppercased()
    }
}
