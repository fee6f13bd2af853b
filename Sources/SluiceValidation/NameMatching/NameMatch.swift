/// How closely a payee name matches an account holder's name, in the three grades of the EPC
/// Verification of Payee scheme.
///
/// `.match` carries no score because nothing acts on it; the two others carry the score so a
/// report can show how near the line a name was.
public enum NameMatch: Sendable, Hashable {
    /// The names are the same after normalisation, or differ by less than the match threshold
    /// allows (MTCH).
    case match
    /// The names are near but not the same: a typo, an initial for a first name, a missing
    /// word, another legal form (CMTC). The score is 0 … 1.
    case closeMatch(Double)
    /// The names differ (NMTC). The score is 0 … 1.
    case noMatch(Double)

    /// The EPC `partyNameMatch` code: MTCH, CMTC or NMTC.
    public var epcCode: String {
        switch self {
        case .match: "MTCH"
        case .closeMatch: "CMTC"
        case .noMatch: "NMTC"
        }
    }
}
