import SluiceCore

/// How a delimited file is written.
public struct CSVDialect: Sendable, Hashable {
    /// Field separator; `nil` detects it from the header line among `,` `;` tab `|`.
    public var delimiter: UInt8?
    public var quote: UInt8
    public var encoding: TextEncoding
    /// A record longer than this is rejected and skipped to the next line, which keeps
    /// memory bounded even when a quote is never closed.
    public var maxRecordBytes: Int

    public init(
        delimiter: UInt8? = nil,
        quote: UInt8 = UInt8(ascii: "\""),
        encoding: TextEncoding = .utf8,
        maxRecordBytes: Int = 1 << 20
    ) {
        self.delimiter = delimiter
        self.quote = quote
        self.encoding = encoding
        self.maxRecordBytes = maxRecordBytes
    }

    /// Delimiters that detection chooses from, in order of preference on a tie.
    public static let candidateDelimiters: [UInt8] = [UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "\t"), UInt8(ascii: "|")]

    /// Picks the candidate delimiter that occurs most often outside quotes in `headerLine`.
    public static func detectDelimiter<Bytes: Collection<UInt8>>(in headerLine: Bytes, quote: UInt8 = UInt8(ascii: "\"")) -> UInt8 {
        var counts = [Int](repeating: 0, count: candidateDelimiters.count)
        var inQuotes = false
        for byte in headerLine {
            if byte == quote { inQuotes.toggle(); continue }
            if inQuotes { continue }
            if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") { break }
            if let index = candidateDelimiters.firstIndex(of: byte) { counts[index] += 1 }
        }
        var best = 0
        for index in counts.indices where counts[index] > counts[best] { best = index }
        return candidateDelimiters[best]
    }
}

/// Text encoding of a source file. Everything after decoding is UTF-8.
public enum TextEncoding: String, Sendable, Hashable, Codable, CaseIterable {
    case utf8 = "utf-8"
    case windows1252 = "windows-1252"

    /// Accepts the common spellings: `utf8`, `UTF-8`, `latin1`, `cp1252`, `iso-8859-1`.
    public init?(name: String) {
        switch String(name.lowercased().map { $0 == "_" ? "-" : $0 }) {
        case "utf-8", "utf8": self = .utf8
        case "windows-1252", "cp1252", "latin1", "latin-1", "iso-8859-1", "iso8859-1": self = .windows1252
        default: return nil
        }
    }
}
