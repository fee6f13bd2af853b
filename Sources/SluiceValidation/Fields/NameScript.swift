/// A writing system whose letters a name may use.
///
/// SEPA's basic character set is Latin; EPC217-08 lets communities use their own scripts
/// (Greek, Cyrillic) end to end. Sluice accepts Latin with every accent by default, and Greek,
/// because Greek debtors' names arrive in Greek script (as in the sample files).
public enum NameScript: String, Sendable, Hashable, Codable, CaseIterable {
    case latin
    case greek
    case cyrillic

    /// The scripts accepted when a pipeline does not say.
    public static let defaults: Set<NameScript> = [.latin, .greek]

    var bit: UInt8 {
        switch self {
        case .latin: 1
        case .greek: 2
        case .cyrillic: 4
        }
    }
}
