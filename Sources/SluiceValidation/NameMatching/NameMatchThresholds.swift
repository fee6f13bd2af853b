/// The scores at which a payee name becomes a close match and a match, per account type.
///
/// The defaults are the published EPC-community values (see `domain.md`): individuals are a
/// close match from 0.85 and a match from 0.95; companies from 0.75 and 0.85, because company
/// names come abbreviated, with or without "& Co", translated or reordered far more often than
/// a person's name. A score equal to a threshold counts as reaching it.
///
/// ```swift
/// var thresholds = NameMatchThresholds.default
/// thresholds.company = .init(closeMatch: 0.8, match: 0.9)
/// let matcher = PayeeNameMatcher(thresholds: thresholds)
/// ```
public struct NameMatchThresholds: Sendable, Hashable, Codable {
    /// The two thresholds for one account type.
    public struct Band: Sendable, Hashable, Codable {
        /// The lowest score that is a close match; anything lower is no match.
        public var closeMatch: Double
        /// The lowest score that is a match.
        public var match: Double

        /// Both values are clamped to 0 … 1 and `match` to at least `closeMatch`, so a
        /// misconfigured band still gives the three grades in order.
        public init(closeMatch: Double, match: Double) {
            let close = closeMatch.isNaN ? 1 : min(max(closeMatch, 0), 1)
            self.closeMatch = close
            self.match = match.isNaN ? 1 : min(max(match, close), 1)
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.init(
                closeMatch: try container.decode(Double.self, forKey: .closeMatch),
                match: try container.decode(Double.self, forKey: .match)
            )
        }
    }

    /// For `PayeeAccountType.individual`.
    public var individual: Band
    /// For `PayeeAccountType.company`.
    public var company: Band

    public init(individual: Band = Self.default.individual, company: Band = Self.default.company) {
        self.individual = individual
        self.company = company
    }

    /// Individuals 0.85 / 0.95, companies 0.75 / 0.85.
    public static let `default` = NameMatchThresholds(
        individual: Band(closeMatch: 0.85, match: 0.95),
        company: Band(closeMatch: 0.75, match: 0.85)
    )

    /// The band for `accountType`.
    public subscript(accountType: PayeeAccountType) -> Band {
        switch accountType {
        case .individual: individual
        case .company: company
        }
    }
}
