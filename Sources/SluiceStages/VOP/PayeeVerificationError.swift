/// A provider's answer Sluice cannot map to a `PayeeVerificationOutcome`.
///
/// The value it names is the provider's code, not row data, so `description` shows it (cut to
/// 40 characters, in case a provider puts something long in the field).
public struct PayeeVerificationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable, machine-readable category.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        let raw: String
        public var description: String { raw }

        /// `partyNameMatch` was not MTCH, CMTC, NMTC or NOAP.
        public static let unknownEPCCode = Code(raw: "unknown_epc_code")
        /// `name_match` was not yes, partial, no or unavailable.
        public static let unknownBAVNameMatch = Code(raw: "unknown_bav_name_match")
    }

    public var code: Code
    /// The value as the provider sent it.
    public var value: String

    public init(_ code: Code, value: String) {
        self.code = code
        self.value = value
    }

    public var description: String {
        let shown = value.count > 40 ? value.prefix(40) + "…" : Substring(value)
        switch code {
        case .unknownEPCCode: return "unknown VOP partyNameMatch code \(String(reflecting: String(shown)))"
        case .unknownBAVNameMatch: return "unknown BAV name_match value \(String(reflecting: String(shown)))"
        default: return "\(code): \(String(reflecting: String(shown)))"
        }
    }
}
