/// One accepted way of writing a date, in the notation of the operator's old importer:
/// `Y` four-digit year, `y` two-digit year, `m` month (1–2 digits), `d` day (1–2 digits),
/// any of `- . / space` as literal separators; or `excel` for an Excel serial number.
///
/// ```swift
/// let format = try DateFormat("d.m.Y")
/// ```
public struct DateFormat: Sendable, Hashable, CustomStringConvertible {
    enum Token: Hashable, Sendable {
        case year4, year2, month, day
        case literal(UInt8)
    }

    /// The pattern as written, e.g. `d/m/Y`.
    public let pattern: String
    let tokens: [Token]
    /// Whether this is the Excel serial format.
    public var isExcelSerial: Bool { tokens.isEmpty }

    /// The defaults from the operator's importer, in the order they are tried. `d/m/Y` comes
    /// before `m/d/Y`, so `03/04/2024` is 3 April; `m/d/Y` only reads what `d/m/Y` cannot be
    /// (`04/13/2024`).
    public static let defaults: [DateFormat] = ["excel", "Y-m-d", "d.m.Y", "d/m/Y", "m/d/Y", "d-m-Y", "Y/m/d", "d.m.y", "d/m/y"]
        .map { DateFormat(checked: $0) }

    /// Why a pattern was refused.
    public struct InvalidPattern: Error, CustomStringConvertible {
        public let pattern: String
        public var description: String {
            "date format '\(pattern)' must use Y, y, m, d and the separators - . / space (each of Y|y, m, d once), or be 'excel'"
        }
    }

    /// A format from its pattern, e.g. `d.m.Y`, or `excel`.
    ///
    /// - Throws: `InvalidPattern` for other letters, or when Y|y, m or d is missing or repeated.
    public init(_ pattern: String) throws {
        guard let tokens = DateFormat.tokens(of: pattern) else { throw InvalidPattern(pattern: pattern) }
        self.pattern = pattern
        self.tokens = tokens
    }

    private init(checked pattern: String) {
        self.pattern = pattern
        self.tokens = DateFormat.tokens(of: pattern) ?? []
    }

    public var description: String { pattern }

    private static func tokens(of pattern: String) -> [Token]? {
        if pattern.lowercased() == "excel" { return [] }
        var tokens: [Token] = []
        for byte in pattern.utf8 {
            switch byte {
            case UInt8(ascii: "Y"): tokens.append(.year4)
            case UInt8(ascii: "y"): tokens.append(.year2)
            case UInt8(ascii: "m"): tokens.append(.month)
            case UInt8(ascii: "d"): tokens.append(.day)
            case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "/"), UInt8(ascii: " "): tokens.append(.literal(byte))
            default: return nil
            }
        }
        let years = tokens.filter { $0 == .year4 || $0 == .year2 }.count
        let months = tokens.filter { $0 == .month }.count
        let days = tokens.filter { $0 == .day }.count
        guard years == 1, months == 1, days == 1 else { return nil }
        return tokens
    }
}
