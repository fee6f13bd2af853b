import SluiceCore

/// What a payee verification said about one row, whichever provider answered.
///
/// EPC Verification of Payee answers `partyNameMatch` with MTCH, CMTC (and a `matchedName`),
/// NMTC or NOAP; bank-account verification services (BAV) answer `name_match` with yes, partial,
/// no or unavailable. Both map to this one type, and `unavailable` covers the calls that got no
/// answer at all: the breaker was open, the budget was spent, or the provider kept failing.
///
/// ```swift
/// try PayeeVerificationOutcome(epcCode: "CMTC", matchedName: "Jane Doe")  // .closeMatch(matchedName: "Jane Doe")
/// try PayeeVerificationOutcome(bavNameMatch: "partial")                   // .closeMatch(matchedName: nil)
/// ```
public enum PayeeVerificationOutcome: Sendable, Hashable {
    /// The name matches the account holder (MTCH, yes).
    case match
    /// The name is close to the account holder's (CMTC, partial). EPC responders return the
    /// holder's name; it is personal data, kept out of messages and logs.
    case closeMatch(matchedName: String?)
    /// The name does not match (NMTC, no).
    case noMatch
    /// The provider answered that it could not check (NOAP: unknown account, the responding
    /// bank timed out; BAV's unavailable).
    case notPossible
    /// No answer: the breaker was open, the budget was spent, or every attempt failed.
    case unavailable

    /// Maps an EPC VOP `partyNameMatch` code. Case and surrounding spaces are ignored.
    ///
    /// - Parameters:
    ///   - epcCode: MTCH, CMTC, NMTC or NOAP.
    ///   - matchedName: the responder's `matchedName`, kept for CMTC only; empty counts as absent.
    /// - Throws: `PayeeVerificationError` with code `unknownEPCCode` for any other code.
    public init(epcCode: String, matchedName: String? = nil) throws(PayeeVerificationError) {
        switch epcCode.trimmingSpaces.uppercased() {
        case "MTCH": self = .match
        case "CMTC":
            let name = matchedName?.trimmingSpaces
            self = .closeMatch(matchedName: name?.isEmpty == false ? name : nil)
        case "NMTC": self = .noMatch
        case "NOAP": self = .notPossible
        default: throw PayeeVerificationError(.unknownEPCCode, value: epcCode)
        }
    }

    /// Maps a BAV `name_match` answer. Case and surrounding spaces are ignored.
    ///
    /// - Parameter bavNameMatch: yes, partial, no or unavailable.
    /// - Throws: `PayeeVerificationError` with code `unknownBAVNameMatch` for any other value.
    public init(bavNameMatch: String) throws(PayeeVerificationError) {
        switch bavNameMatch.trimmingSpaces.lowercased() {
        case "yes": self = .match
        case "partial": self = .closeMatch(matchedName: nil)
        case "no": self = .noMatch
        case "unavailable": self = .notPossible
        default: throw PayeeVerificationError(.unknownBAVNameMatch, value: bavNameMatch)
        }
    }

    /// The reason code a rejected or flagged row gets; `nil` for a match, which is never held back.
    public var reasonCode: ReasonCode? {
        switch self {
        case .match: nil
        case .closeMatch: .vopCloseMatch
        case .noMatch: .vopNoMatch
        case .notPossible: .vopNotPossible
        case .unavailable: .vopUnavailable
        }
    }

    /// The human-readable reason for a rejected or flagged row. It names no row data: not the
    /// payee's name, nor the holder's name a close match returns.
    public var reasonMessage: String? {
        switch self {
        case .match: nil
        case .closeMatch: "Payee name is a close match to the account holder's name"
        case .noMatch: "Payee name does not match the account holder's name"
        case .notPossible: "Payee verification was not possible for this account"
        case .unavailable: "Payee verification was unavailable"
        }
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}
