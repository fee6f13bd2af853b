import Foundation

/// One row of `sluice.blacklist`, as shown to people: never an IBAN in clear.
public struct BlacklistEntry: Sendable, Hashable, Codable {
    public var id: Int64
    public var kind: BlacklistKind
    /// The matching key: hex SHA-256 for IBANs, the normalised value for the others.
    public var key: String
    /// Safe to show: a masked IBAN or the normalised value.
    public var display: String
    public var reason: String
    public var source: String
    public var createdAt: Date
}
