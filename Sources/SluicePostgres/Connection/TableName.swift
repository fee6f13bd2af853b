import SluiceCore

/// A schema-qualified table name, validated so it can be put into SQL safely.
public struct TableName: Sendable, Hashable, CustomStringConvertible {
    public let schema: String
    public let name: String

    /// Parses `schema.table` or `table` (schema `public`). Names are letters, digits and `_`.
    public init(_ text: String) throws {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard (1...2).contains(parts.count), parts.allSatisfy(Self.isIdentifier) else {
            throw SluiceError(.invalidPipeline, "table name '\(text)' must be 'schema.table' with letters, digits and _ only")
        }
        schema = parts.count == 2 ? parts[0] : "public"
        name = parts.last!
    }

    public var description: String { "\(schema).\(name)" }
    public var quoted: String { "\(Self.quote(schema)).\(Self.quote(name))" }

    /// The form PostgresNIO's `copyFrom(table:)` expects: it wraps the name in one pair of
    /// double quotes, so the inner quotes make it `"schema"."table"`.
    var copyTarget: String { "\(schema)\".\"\(name)" }

    public static func isIdentifier(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, !text.isEmpty, text.count <= 63 else { return false }
        guard first == "_" || (first.properties.isAlphabetic && first.isASCII) else { return false }
        return text.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
    }

    public static func quote(_ identifier: String) -> String {
        "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
