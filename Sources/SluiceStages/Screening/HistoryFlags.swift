/// What earlier charges say about an IBAN.
public struct HistoryFlags: Sendable, Hashable {
    /// Some attempt on this IBAN was charged back, in any run.
    public var chargedBack: Bool
    /// Another run charged this IBAN within the cooldown window.
    public var recentlyAttempted: Bool

    public init(chargedBack: Bool, recentlyAttempted: Bool) {
        self.chargedBack = chargedBack
        self.recentlyAttempted = recentlyAttempted
    }
}
