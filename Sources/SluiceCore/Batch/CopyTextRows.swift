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
