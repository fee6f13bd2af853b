/// Writes PostgreSQL COPY text format into memory the caller sized for the worst case.
///
/// Text format: columns separated by tab, rows by newline, `\N` for NULL, and backslash,
/// tab, newline and carriage return escaped with a backslash.
struct CopyTextWriter {
    let base: UnsafeMutablePointer<UInt8>
    private(set) var count = 0

    init(base: UnsafeMutablePointer<UInt8>) {
        self.base = base
    }

    /// Bytes that must be escaped: control characters below 0x20 and the backslash.
    static let needsEscape: [Bool] = (0..<256).map { $0 < 0x20 || $0 == 0x5C }

    /// Upper bound for the size of `byteCount` bytes of values once escaped.
    static func worstCase(byteCount: Int) -> Int { byteCount * 2 }

    @inline(__always)
    mutating func byte(_ value: UInt8) {
        base[count] = value
        count += 1
    }

    @inline(__always)
    mutating func tab() { byte(0x09) }

    @inline(__always)
    mutating func endRow() { byte(0x0A) }

    mutating func null() {
        byte(0x5C)
        byte(UInt8(ascii: "N"))
    }

    /// Copies bytes that are known to need no escaping (UUIDs, codes).
    mutating func plain(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress, bytes.count > 0 else { return }
        (base + count).update(from: source, count: bytes.count)
        count += bytes.count
    }

    mutating func plain(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { plain($0) }
    }

    /// Writes `bytes[start..<end]` escaped; an empty span is written as NULL when `emptyIsNull`.
    @inline(__always)
    mutating func text(_ bytes: UnsafePointer<UInt8>, start: Int, end: Int, escapes: UnsafePointer<Bool>, emptyIsNull: Bool) {
        if start == end {
            if emptyIsNull { null() }
            return
        }
        var index = start
        while index < end && !escapes[Int(bytes[index])] { index += 1 }
        if index == end {
            (base + count).update(from: bytes + start, count: end - start)
            count += end - start
            return
        }
        (base + count).update(from: bytes + start, count: index - start)
        count += index - start
        while index < end {
            let value = bytes[index]
            if escapes[Int(value)] {
                byte(0x5C)
                switch value {
                case 0x09: byte(UInt8(ascii: "t"))
                case 0x0A: byte(UInt8(ascii: "n"))
                case 0x0D: byte(UInt8(ascii: "r"))
                case 0x5C: byte(0x5C)
                default:
                    // Other control characters as octal, which COPY accepts.
                    byte(UInt8(ascii: "0") + (value >> 6))
                    byte(UInt8(ascii: "0") + ((value >> 3) & 7))
                    byte(UInt8(ascii: "0") + (value & 7))
                }
            } else {
                byte(value)
            }
            index += 1
        }
    }

    /// Writes a non-negative or negative integer in decimal.
    mutating func integer(_ value: Int64) {
        if value < 0 {
            byte(UInt8(ascii: "-"))
            integer(UInt64(bitPattern: 0 &- value))
        } else {
            integer(UInt64(value))
        }
    }

    private mutating func integer(_ value: UInt64) {
        var digits: (UInt64, Int) = (value, 0)
        var scratch: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                      UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &scratch) { buffer in
            repeat {
                buffer[19 - digits.1] = UInt8(ascii: "0") + UInt8(digits.0 % 10)
                digits.0 /= 10
                digits.1 += 1
            } while digits.0 > 0
            for index in (20 - digits.1)..<20 { byte(buffer[index]) }
        }
    }

    /// Writes bytes as a `bytea` hex literal (`\\x…` once COPY-escaped).
    mutating func hex(_ bytes: UnsafePointer<UInt8>, start: Int, end: Int) {
        let digits = Array("0123456789abcdef".utf8)
        byte(0x5C)
        byte(0x5C)
        byte(UInt8(ascii: "x"))
        for index in start..<end {
            byte(digits[Int(bytes[index] >> 4)])
            byte(digits[Int(bytes[index] & 0x0F)])
        }
    }
}
