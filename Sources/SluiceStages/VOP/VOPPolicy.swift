import SluiceCore

/// What happens to a row for each payee-verification outcome: the `vop.policy` of a pipeline.
///
/// A match is always accepted: there is nothing to hold back and no reason code to give. The
/// defaults flag close matches for review, reject no-match and not-possible answers, and flag
/// rows that got no answer. Only `unavailable` may pause the run (until the breaker closes): an
/// answer about one row is never a reason to stop the others.
///
/// ```swift
/// VOPPolicy().decision(for: .noMatch)       // .reject(.vopNoMatch)
/// VOPPolicy(unavailable: .pause).decision(for: .unavailable)   // .pause
/// ```
public struct VOPPolicy: Sendable, Hashable, Decodable {
    /// What to do with a row that got an answer.
    public enum Action: String, Sendable, Hashable, Decodable, CaseIterable {
        /// Keep the row, without a flag.
        case accept
        /// Hold the row back with the outcome's reason code.
        case reject
        /// Keep the row, with the outcome's reason code as a flag for review.
        case flag
    }

    /// What to do with a row that got no answer.
    public enum UnavailableAction: String, Sendable, Hashable, Decodable, CaseIterable {
        case accept
        case reject
        case flag
        /// Stop sending rows until the breaker closes, then verify this row again.
        case pause
    }

    /// What the stage does with one row.
    public enum Decision: Sendable, Hashable {
        case accept
        case reject(ReasonCode)
        case flag(ReasonCode)
        /// Hold the row and the run until the provider answers again.
        case pause
    }

    public var closeMatch: Action
    public var noMatch: Action
    public var notPossible: Action
    public var unavailable: UnavailableAction

    public init(closeMatch: Action = .flag, noMatch: Action = .reject, notPossible: Action = .reject, unavailable: UnavailableAction = .flag) {
        self.closeMatch = closeMatch
        self.noMatch = noMatch
        self.notPossible = notPossible
        self.unavailable = unavailable
    }

    /// What to do with a row whose verification ended in `outcome`.
    public func decision(for outcome: PayeeVerificationOutcome) -> Decision {
        switch outcome {
        case .match: return .accept
        case .closeMatch: return Self.decision(closeMatch, code: .vopCloseMatch)
        case .noMatch: return Self.decision(noMatch, code: .vopNoMatch)
        case .notPossible: return Self.decision(notPossible, code: .vopNotPossible)
        case .unavailable:
            switch unavailable {
            case .accept: return .accept
            case .reject: return .reject(.vopUnavailable)
            case .flag: return .flag(.vopUnavailable)
            case .pause: return .pause
            }
        }
    }

    private static func decision(_ action: Action, code: ReasonCode) -> Decision {
        switch action {
        case .accept: .accept
        case .reject: .reject(code)
        case .flag: .flag(code)
        }
    }

    /// `CaseIterable` so a test can hold these keys and the pipeline schema together.
    enum CodingKeys: String, CodingKey, CaseIterable {
        case closeMatch = "close_match"
        case noMatch = "no_match"
        case notPossible = "not_possible"
        case unavailable
    }

    /// Decodes the keys present; the others keep their defaults. `pause` is only allowed for
    /// `unavailable`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = VOPPolicy()
        closeMatch = try container.decodeIfPresent(Action.self, forKey: .closeMatch) ?? defaults.closeMatch
        noMatch = try container.decodeIfPresent(Action.self, forKey: .noMatch) ?? defaults.noMatch
        notPossible = try container.decodeIfPresent(Action.self, forKey: .notPossible) ?? defaults.notPossible
        unavailable = try container.decodeIfPresent(UnavailableAction.self, forKey: .unavailable) ?? defaults.unavailable
    }
}
