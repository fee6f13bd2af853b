/// Why one row of a batch was held back.
public struct Rejection: Sendable, Hashable {
    /// Row index inside its batch.
    public var row: Int32
    public var code: ReasonCode
    /// Human-readable reason; it names columns, never the row's values.
    public var message: String
    /// The canonical or source column the reason is about, when there is one.
    public var column: String?

    public init(row: Int32, code: ReasonCode, message: String, column: String? = nil) {
        self.row = row
        self.code = code
        self.message = message
        self.column = column
    }
}

/// A stable, dotted reason code such as `csv.ragged` or `iban.checksum`.
public struct ReasonCode: Sendable, Hashable, Comparable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let rawValue: String

    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }

    public var description: String { rawValue }

    public static func < (lhs: ReasonCode, rhs: ReasonCode) -> Bool { lhs.rawValue < rhs.rawValue }
}

extension ReasonCode {
    /// A record has more or fewer fields than the header.
    public static let csvRagged: ReasonCode = "csv.ragged"
    /// A quoted field is still open at the end of the file.
    public static let csvUnterminatedQuote: ReasonCode = "csv.unterminated_quote"
    /// A record is longer than the configured maximum.
    public static let csvRecordTooLong: ReasonCode = "csv.record_too_long"
    /// A record is not valid UTF-8.
    public static let encodingInvalidUTF8: ReasonCode = "encoding.invalid_utf8"
    /// A record contains a NUL byte, which PostgreSQL text cannot hold.
    public static let encodingNulByte: ReasonCode = "encoding.nul_byte"
    /// A required column has no value: `iban.required`, `amount.required`, …
    public static func required(column: String) -> ReasonCode { ReasonCode("\(column).required") }
}

extension ReasonCode {
    /// The same dedup key appeared on an earlier line of the same file.
    public static let dedupInFile: ReasonCode = "dedup.in_file"
    /// The IBAN (by its SHA-256) is on the blacklist.
    public static let blacklistIBAN: ReasonCode = "blacklist.iban"
    /// The IBAN was charged back at some point, in any run.
    public static let historyChargeback: ReasonCode = "history.chargeback"
    /// The IBAN was charged by another run within the cooldown window.
    public static let historyCooldown: ReasonCode = "history.cooldown"
    /// First plus last name, normalised, is on the blacklist.
    public static let blacklistName: ReasonCode = "blacklist.name"
    /// The e-mail address, lower-cased, is on the blacklist.
    public static let blacklistEmail: ReasonCode = "blacklist.email"
    /// The BIC, or a prefix of it, is on the blacklist.
    public static let blacklistBIC: ReasonCode = "blacklist.bic"

    /// The pipeline stage that gives this code, for summaries: `parse`, `map`, `validate`,
    /// `dedup`, `screen` or `vop`.
    public var stage: StageName {
        let family = rawValue.prefix { $0 != "." }
        switch family {
        case "csv", "xlsx", "encoding": return .parse
        case "dedup": return .dedup
        case "blacklist", "history": return .screen
        case "vop": return .vop
        default: return rawValue.hasSuffix(".required") || family == "mapping" ? .map : .validate
        }
    }
}

extension ReasonCode {
    /// An XLSX row has a value beyond the header's last column.
    public static let xlsxRagged: ReasonCode = "xlsx.ragged"
    /// An XLSX row holds an error cell such as `#DIV/0!` or `#N/A`.
    public static let xlsxErrorCell: ReasonCode = "xlsx.error_cell"
    /// An XLSX row's `r` attribute is not a row number Excel allows (1…1,048,576). The row is
    /// kept by its position in the sheet, and rejected so the file can be fixed.
    public static let xlsxRowNumber: ReasonCode = "xlsx.row_number"
}
