import SluiceCore

/// A schema-qualified table name, validated so it can be put into SQL safely.
///
/// Names are folded to lower case, as PostgreSQL folds unquoted names: `Sales.Debtors` is
/// `sales.debtors`, never a second, quoted table `"Debtors"` beside `debtors`.
public struct TableName: Sendable, Hashable, CustomStringConvertible {
    public let schema: String
    public let name: String

    /// The longest name PostgreSQL keeps (`NAMEDATALEN - 1`); longer ones it silently truncates.
    public static let maxIdentifierBytes = 63

    /// Parses `schema.table` or `table` (schema `public`), folded to lower case.
    ///
    /// Each name is ASCII letters, digits and `_`, starts with a letter or `_`, and has at
    /// most 63 bytes. The error says which of these the text breaks.
    public init(_ text: String) throws {
        func invalid(_ reason: String) -> SluiceError { SluiceError(.invalidPipeline, reason) }

        guard !text.isEmpty else { throw invalid("table name is empty; write schema.table") }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count <= 2 else {
            throw invalid("table name '\(Self.shortened(text))' has \(parts.count - 1) dots; write schema.table with one dot")
        }
        if parts.count == 2 {
            guard !parts[0].isEmpty else { throw invalid("table name '\(text)' has no schema before the dot; write schema.table") }
            guard !parts[1].isEmpty else { throw invalid("table name '\(text)' has no table after the dot; write schema.table") }
            if let problem = Self.identifierProblem(parts[0], kind: "schema name") { throw invalid(problem) }
        }
        if let problem = Self.identifierProblem(parts[parts.count - 1], kind: "table name") { throw invalid(problem) }
        schema = parts.count == 2 ? parts[0].lowercased() : "public"
        name = parts[parts.count - 1].lowercased()
    }

    public var description: String { "\(schema).\(name)" }
    public var quoted: String { "\(Self.quote(schema)).\(Self.quote(name))" }

    /// The form PostgresNIO's `copyFrom(table:)` expects: it wraps the name in one pair of
    /// double quotes, so the inner quotes make it `"schema"."table"`.
    var copyTarget: String { "\(schema)\".\"\(name)" }

    /// Whether `text` is a name PostgreSQL takes unquoted (before folding to lower case).
    public static func isIdentifier(_ text: String) -> Bool {
        identifierProblem(text, kind: "name") == nil
    }

    /// What is wrong with `text` as an unquoted PostgreSQL name, in plain words, or `nil`.
    ///
    /// - Parameters:
    ///   - text: the name as written.
    ///   - kind: what the name is, to start the message: `"column name"`, `"table name"`.
    ///
    /// `identifierProblem(String(repeating: "x", count: 64), kind: "column name")` is
    /// `"column name 'xxxxxxxxxxxxxxxxxxxxxxxx…' is 64 bytes; PostgreSQL names are at most 63"`.
    public static func identifierProblem(_ text: String, kind: String) -> String? {
        guard let first = text.unicodeScalars.first else { return "\(kind) is empty" }
        if let bad = text.unicodeScalars.first(where: { !isIdentifierScalar($0) }) {
            let shown = switch bad {
            case " ": "a space"
            case "\t": "a tab"
            case _ where bad.properties.isWhitespace || bad.properties.generalCategory == .control:
                "U+\(String(bad.value, radix: 16, uppercase: true))"
            default: "'\(bad)'"
            }
            return "\(kind) '\(shortened(text))' contains \(shown); names are ASCII letters, digits and _"
        }
        let bytes = text.utf8.count
        guard bytes <= maxIdentifierBytes else {
            return "\(kind) '\(shortened(text))' is \(bytes) bytes; PostgreSQL names are at most \(maxIdentifierBytes)"
        }
        guard !("0"..."9").contains(first) else { return "\(kind) '\(text)' starts with a digit; names start with a letter or _" }
        return nil
    }

    public static func quote(_ identifier: String) -> String {
        "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func isIdentifierScalar(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "_" || ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
    }

    /// Long names are cut in messages: the first 24 characters say which name it is.
    static func shortened(_ text: String) -> String {
        text.count > 28 ? String(text.prefix(24)) + "…" : text
    }
}
