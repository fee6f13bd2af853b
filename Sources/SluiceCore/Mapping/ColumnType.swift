/// The declared type of a pipeline column (`type:` in a pipeline file): how the target table
/// stores it and which values fit.
///
/// `iban`, `bic` and `email` are stored as `text` but checked as such; `timestamp` is stored
/// as `timestamptz`, a value without a zone being read as UTC; `integer` is a `bigint`.
public enum ColumnType: Sendable, Hashable {
    case text
    case integer
    /// `numeric(p,s)`; `nil` precision is an unconstrained `numeric`.
    case numeric(precision: Int?, scale: Int)
    case date
    case timestamp
    case boolean
    case iban
    case bic
    case email

    /// The type names a pipeline file may write, for messages and "did you mean".
    public static let names = ["text", "integer", "numeric", "numeric(p,s)", "date", "timestamp", "boolean", "iban", "bic", "email"]

    /// Reads a declaration: `text`, `integer`, `numeric`, `numeric(12,2)`, `date`, …
    /// Case and spaces inside the parentheses do not matter. `nil` for anything else, or for a
    /// precision outside 1...1000 or a scale outside 0...precision.
    public init?(declaration: String) {
        let text = declaration.lowercased().filter { $0 != " " }
        switch text {
        case "text": self = .text
        case "integer", "int", "bigint": self = .integer
        case "numeric", "decimal": self = .numeric(precision: nil, scale: 0)
        case "date": self = .date
        case "timestamp", "timestamptz": self = .timestamp
        case "boolean", "bool": self = .boolean
        case "iban": self = .iban
        case "bic": self = .bic
        case "email": self = .email
        default:
            guard text.hasPrefix("numeric(") || text.hasPrefix("decimal("), text.hasSuffix(")") else { return nil }
            let inner = text.drop(while: { $0 != "(" }).dropFirst().dropLast()
            let parts = inner.split(separator: ",", omittingEmptySubsequences: false).map { Int($0) }
            guard (1...2).contains(parts.count), let precision = parts[0], (1...1000).contains(precision) else { return nil }
            let scale = parts.count == 2 ? parts[1] : 0
            guard let scale, (0...precision).contains(scale) else { return nil }
            self = .numeric(precision: precision, scale: scale)
        }
    }

    /// The declaration as a pipeline file writes it: `numeric(12,2)`.
    public var declaration: String {
        switch self {
        case .text: "text"
        case .integer: "integer"
        case .numeric(let precision?, let scale): "numeric(\(precision),\(scale))"
        case .numeric(nil, _): "numeric"
        case .date: "date"
        case .timestamp: "timestamp"
        case .boolean: "boolean"
        case .iban: "iban"
        case .bic: "bic"
        case .email: "email"
        }
    }

    /// The PostgreSQL type of the target table's column.
    public var sqlType: String {
        switch self {
        case .text, .iban, .bic, .email: "text"
        case .integer: "bigint"
        case .numeric(let precision?, let scale): "numeric(\(precision),\(scale))"
        case .numeric(nil, _): "numeric"
        case .date: "date"
        case .timestamp: "timestamptz"
        case .boolean: "boolean"
        }
    }

    /// Whether values are stored as text (no cast before COPY).
    public var isStoredAsText: Bool { sqlType == "text" }
}

extension ColumnType: Codable {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let type = ColumnType(declaration: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown column type '\(text)'"))
        }
        self = type
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(declaration)
    }
}
