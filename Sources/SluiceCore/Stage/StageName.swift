/// The name of a step of a run, defined once: in errors (`stage map`), timings
/// (`stage.validate`), reason codes' families and logs. A struct rather than an enum so that
/// stages added by embedding code (and tests) can name themselves too.
public struct StageName: RawRepresentable, Hashable, Sendable, Codable, Comparable, ExpressibleByStringLiteral, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }

    public var description: String { rawValue }

    public static func < (lhs: StageName, rhs: StageName) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Decoding a CSV or XLSX into rows.
    public static let parse: StageName = "parse"
    /// Header cells to canonical columns.
    public static let map: StageName = "map"
    public static let validate: StageName = "validate"
    /// Blacklists and billing history.
    public static let screen: StageName = "screen"
    public static let dedup: StageName = "dedup"
    /// Payee verification (Verification of Payee) with a provider.
    public static let vop: StageName = "vop"
    /// Encoding COPY text.
    public static let encode: StageName = "encode"
    /// Committing batches to PostgreSQL.
    public static let sink: StageName = "sink"
    public static let migrate: StageName = "migrate"
    public static let blacklist: StageName = "blacklist"
    /// Charging loaded rows through the payment gateway, after a run.
    public static let billing: StageName = "billing"

    /// The pipeline's own stages, in the order a run applies them.
    public static let pipelineOrder: [StageName] = [.map, .validate, .screen, .dedup, .vop]
}
