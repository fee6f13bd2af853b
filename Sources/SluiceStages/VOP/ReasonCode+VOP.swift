import SluiceCore

extension ReasonCode {
    /// The provider said the payee name does not match the account holder (NMTC, no).
    public static let vopNoMatch: ReasonCode = "vop.no_match"
    /// The provider could not check the account (NOAP, unavailable).
    public static let vopNotPossible: ReasonCode = "vop.not_possible"
    /// The payee name is close to the account holder's (CMTC, partial).
    public static let vopCloseMatch: ReasonCode = "vop.close_match"
    /// No answer: breaker open, budget spent, or the provider kept failing.
    public static let vopUnavailable: ReasonCode = "vop.unavailable"
}
