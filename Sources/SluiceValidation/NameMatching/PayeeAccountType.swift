/// Whose account a payee name is checked against: a person's or a company's.
///
/// The two are normalised and judged differently. A company name loses its legal form
/// (`GmbH`, `S.A.R.L.`) before matching, a person's name does not; and EPC responders accept a
/// looser score for companies, whose names are written in more ways (see `NameMatchThresholds`).
public enum PayeeAccountType: String, Sendable, Hashable, Codable, CaseIterable {
    /// A natural person (a consumer or sole trader).
    case individual
    /// A legal entity: company, association, partnership.
    case company
}
