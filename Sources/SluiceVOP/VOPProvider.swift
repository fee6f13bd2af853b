/// The kind of payee-verification API a provider speaks.
public enum VOPProvider: String, Sendable, Hashable, CaseIterable {
    /// EPC Verification of Payee: `partyNameMatch` MTCH, CMTC, NMTC, NOAP.
    case epc
    /// A bank-account verification service: `name_match` yes, partial, no, unavailable.
    case bav

    /// For messages: `EPC VOP`, `BAV`.
    public var displayName: String {
        switch self {
        case .epc: "EPC VOP"
        case .bav: "BAV"
        }
    }
}
