/// Rows a stage hands the sink to write into another table in the batch's own transaction.
///
/// This is how a stage's side results become exactly-once: a payee-verification answer for the
/// cache, a billing job for an accepted row. They commit with the batch's rows and checkpoint,
/// or not at all, and a resumed run never writes them twice because it never commits a batch
/// twice.
///
/// An effect with a few rows carries them as text values (`rows`). One with a row per batch
/// row carries them already as PostgreSQL COPY text (`copyText`, written with `CopyTextRows`),
/// so no per-row arrays of strings are built only to be encoded again.
public struct StageEffect: Sendable, Hashable {
    /// `schema.table`, a plain lower-case name.
    public var table: String
    public var columns: [String]
    /// One entry per row, one value per column; `nil` is NULL. Empty when `copyText` is set.
    public var rows: [[String?]]
    /// The rows as COPY text (tab-separated, escaped, `\N` for NULL, a newline after each row);
    /// `nil` when they are in `rows`.
    public var copyText: [UInt8]?

    public init(table: String, columns: [String], rows: [[String?]]) {
        self.table = table
        self.columns = columns
        self.rows = rows
        self.copyText = nil
    }

    public init(table: String, columns: [String], copyText: CopyTextRows) {
        self.table = table
        self.columns = columns
        self.rows = []
        self.copyText = copyText.bytes
    }

    /// The rows as text values whichever form they came in (for tests and for effects that
    /// read their own rows back).
    public var textRows: [[String?]] {
        guard let copyText else { return rows }
        return CopyTextRows.parse(copyText)
    }
}

/// COPY text (PostgreSQL's `text` format) written field by field.
public struct CopyTextRows: Sendable, Hashable {
    public private(set) var bytes: [UInt8] = []
    private var atRowStart = true

    public init(capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    /// Appends a field; `nil` is NULL.
    public mutating func field(_ value: String?) {
        separate()
        guard var value else {
            bytes.append(UInt8(ascii: "\\"))
            bytes.append(UInt8(ascii: "N"))
            return
        }
        value.withUTF8 { append(escaping: $0) }
    }

    /// Appends a field of UTF-8 bytes.
    public mutating func field(bytes value: UnsafeBufferPointer<UInt8>) {
        separate()
        append(escaping: value)
    }

    /// Appends a field known to need no escaping (digits, hex, fixed words).
    public mutating func plainField(_ value: String) {
        separate()
        var value = value
        value.withUTF8 { bytes.append(contentsOf: $0) }
    }

    public mutating func endRow() {
        bytes.append(UInt8(ascii: "\n"))
        atRowStart = true
    }

    private mutating func separate() {
        if !atRowStart { bytes.append(UInt8(ascii: "\t")) }
        atRowStart = false
    }

    private mutating func append(escaping value: UnsafeBufferPointer<UInt8>) {
        for byte in value {
            switch byte {
            case UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "\\"))
            case UInt8(ascii: "\t"): bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "t"))
            case UInt8(ascii: "\n"): bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "n"))
            case UInt8(ascii: "\r"): bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "r"))
            default: bytes.append(byte)
            }
        }
    }

    /// Reads COPY text back into text values (the escapes this type writes).
    public static func parse(_ bytes: [UInt8]) -> [[String?]] {
        var rows: [[String?]] = []
        var row: [String?] = []
        var field: [UInt8] = []
        var index = 0
        var isNull = false
        func endField() {
            row.append(isNull ? nil : String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            isNull = false
        }
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\t"):
                endField()
            case UInt8(ascii: "\n"):
                endField()
                rows.append(row)
                row = []
            case UInt8(ascii: "\\") where index + 1 < bytes.count:
                index += 1
                switch bytes[index] {
                case UInt8(ascii: "N"): isNull = true
                case UInt8(ascii: "t"): field.append(UInt8(ascii: "\t"))
                case UInt8(ascii: "n"): field.append(UInt8(ascii: "\n"))
                case UInt8(ascii: "r"): field.append(UInt8(ascii: "\r"))
                default: field.append(bytes[index])
                }
            default:
                field.append(byte)
            }
            index += 1
        }
        return rows
    }
}
