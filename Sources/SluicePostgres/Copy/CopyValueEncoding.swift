import SluiceCore

/// How the COPY encoder writes one column of the target table: the PostgreSQL binary form of
/// its declared type, read from the canonical text the cast stage leaves in the arena.
public enum CopyValueEncoding: Sendable, Hashable {
    /// `text` (also `iban`, `bic`, `email`): the bytes as they are.
    case text
    /// `bigint`: 8 bytes.
    case bigint
    /// `numeric`: ndigits, weight, sign, dscale and base-10000 digits.
    case numeric
    /// `date`: days since 2000-01-01 in 4 bytes.
    case date
    /// `timestamptz`: microseconds since 2000-01-01T00:00:00Z in 8 bytes.
    case timestamptz
    /// `boolean`: one byte.
    case boolean

    public init(_ type: ColumnType) {
        switch type {
        case .text, .iban, .bic, .email: self = .text
        case .integer: self = .bigint
        case .numeric: self = .numeric
        case .date: self = .date
        case .timestamp: self = .timestamptz
        case .boolean: self = .boolean
        }
    }

    /// The most bytes a non-empty value of `length` text bytes takes in binary, without its
    /// length word.
    @inline(__always)
    func maxBinaryLength(textLength length: Int) -> Int {
        switch self {
        case .text: length
        case .bigint, .timestamptz: 8
        case .date: 4
        case .boolean: 1
        // ceil(integer digits / 4) + ceil(decimals / 4) groups of 2 bytes after an 8-byte head.
        case .numeric: 8 + 2 * (length / 4 + 2)
        }
    }

    /// The name of the canonical form, for errors.
    var canonicalForm: String {
        switch self {
        case .text: "text"
        case .bigint: "integer (digits with an optional '-')"
        case .numeric: "decimal (digits, '.', digits)"
        case .date: "date (YYYY-MM-DD)"
        case .timestamptz: "timestamp (YYYY-MM-DDTHH:MM:SS.ffffffZ)"
        case .boolean: "boolean (true or false)"
        }
    }
}
