/// Column widths for an XLSX report, in Excel character units: wide enough for the header
/// and the rows seen so far (the first rows of the report), between `minimum` and `maximum`.
public struct XLSXColumnWidths: Sendable, Hashable {
    public static let minimum = 10.0
    public static let maximum = 50.0
    /// Longest text per column, in characters, capped so a huge cell costs nothing extra.
    private(set) var longest: [Int]

    public init(header: [String]) {
        longest = header.map { Self.length($0) }
    }

    /// Takes a row's cells into account; cells past the header's width are ignored.
    public mutating func measure(_ cells: [String]) {
        for (index, cell) in cells.prefix(longest.count).enumerated() {
            longest[index] = max(longest[index], Self.length(cell))
        }
    }

    /// One width per column: the longest text plus a margin (for the autofilter button),
    /// clamped to `minimum...maximum`.
    public var widths: [Double] {
        longest.map { min(Self.maximum, max(Self.minimum, Double($0) + 2)) }
    }

    /// Characters of the longest line of `text`, up to a little over `maximum`.
    static func length(_ text: String) -> Int {
        var best = 0
        var current = 0
        for character in text.prefix(Int(maximum) * 4) {
            if character == "\n" || character == "\r\n" {
                current = 0
            } else {
                current += 1
                best = max(best, current)
            }
        }
        return min(best, Int(maximum) + 1)
    }
}
