import Foundation
import SluiceCore
import SluiceStages
import SluiceValidation

/// One row the payee-verification stage looked at, as `sluice.vop_checks` keeps it for the VOP
/// report: the name sent, the IBAN masked and hashed, the outcome and where it came from.
/// A batch's checks travel as one `StageEffect` and commit with the batch.
public struct VOPCheck: Sendable, Hashable {
    /// How a row got its answer.
    public enum AnsweredBy: String, Sendable, Hashable, CaseIterable {
        /// A paid call made for this row.
        case provider
        /// The call of another row with the same payee: earlier in the batch, in flight, or just answered.
        case shared
        /// `sluice.vop_results`, without a call.
        case cache
        /// Not verified (`not_sampled`, `over_budget`).
        case none
    }

    /// What the policy did with the row.
    public enum Decision: String, Sendable, Hashable {
        case accepted, rejected, flagged
    }

    /// What the row's check ended in: an outcome, or why it was not verified.
    public enum Outcome: String, Sendable, Hashable {
        case match
        case closeMatch = "close_match"
        case noMatch = "no_match"
        case notPossible = "not_possible"
        case unavailable
        case notSampled = "not_sampled"
        case overBudget = "over_budget"

        init(_ outcome: PayeeVerificationOutcome) {
            switch outcome {
            case .match: self = .match
            case .closeMatch: self = .closeMatch
            case .noMatch: self = .noMatch
            case .notPossible: self = .notPossible
            case .unavailable: self = .unavailable
            }
        }
    }

    public var line: Int64
    public var ibanMasked: String
    public var ibanDigest: IBANDigest
    public var nameSent: String
    public var normalizedName: String
    public var accountType: PayeeAccountType
    public var provider: String
    public var outcome: Outcome
    public var matchedName: String?
    public var score: Double?
    public var answeredBy: AnsweredBy
    /// The call's latency, for `answeredBy == .provider`.
    public var latency: Duration?
    public var decision: Decision

    public static let table = "sluice.vop_checks"
    public static let columns = [
        "run_id", "source_line", "iban_masked", "iban_sha256", "name_sent", "normalized_name", "account_type", "provider",
        "outcome", "matched_name", "score", "answered_by", "latency_ms", "decision",
    ]

    /// The batch's checks as the effect the sink COPies into ``table``, written as COPY text
    /// at once: one row per batch row is too many for arrays of strings.
    public static func effect(_ checks: [VOPCheck], runID: UUID) -> StageEffect {
        let run = runID.uuidString.lowercased()
        var text = CopyTextRows(capacity: checks.count * 200)
        for check in checks {
            text.plainField(run)
            text.plainField(String(check.line))
            text.field(check.ibanMasked)
            text.field(byteaText(check.ibanDigest))  // escaped, or COPY would read `\x` as a byte escape
            text.field(check.nameSent)
            text.field(check.normalizedName)
            text.plainField(check.accountType.rawValue)
            text.field(check.provider)
            text.plainField(check.outcome.rawValue)
            text.field(check.matchedName)
            text.field(check.score.map { "\($0)" })
            text.plainField(check.answeredBy.rawValue)
            text.field(check.latency.map { String(format: "%.3f", $0.milliseconds) })
            text.plainField(check.decision.rawValue)
            text.endRow()
        }
        return StageEffect(table: table, columns: columns, copyText: text)
    }

    /// PostgreSQL's text form of a `bytea`: `\x` and 64 hex digits, written in place.
    static func byteaText(_ digest: IBANDigest) -> String {
        var words = (digest.a, digest.b, digest.c, digest.d)
        return withUnsafeBytes(of: &words) { bytes in
            String(unsafeUninitializedCapacity: 66) { output in
                let digits: StaticString = "0123456789abcdef"
                output[0] = UInt8(ascii: "\\")
                output[1] = UInt8(ascii: "x")
                digits.withUTF8Buffer { digits in
                    for (index, byte) in bytes.enumerated() {
                        output[2 + 2 * index] = digits[Int(byte >> 4)]
                        output[3 + 2 * index] = digits[Int(byte & 0x0f)]
                    }
                }
                return 66
            }
        }
    }
}

extension Duration {
    /// The duration in milliseconds, fractional.
    var milliseconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }
}
