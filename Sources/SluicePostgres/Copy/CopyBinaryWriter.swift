/// Writes PostgreSQL's binary COPY format into memory the caller sized exactly.
///
/// Binary format: a fixed header, then per row a 16-bit field count and per field a 32-bit
/// length (−1 for NULL) followed by the value's bytes in the column type's binary form, and a
/// 16-bit −1 to end. Text values are their UTF-8 bytes as they are, so nothing is escaped and
/// PostgreSQL parses no text: no tab and newline search, no escapes, no `uuid` or `bigint`
/// read from digits. All integers are big-endian.
struct CopyBinaryWriter {
    let base: UnsafeMutablePointer<UInt8>
    var count = 0

    init(base: UnsafeMutablePointer<UInt8>) {
        self.base = base
    }

    /// `PGCOPY\n\377\r\n\0`, flags 0, no header extension.
    static let header: [UInt8] = Array("PGCOPY\n".utf8) + [0xFF, 0x0D, 0x0A, 0x00] + [0, 0, 0, 0] + [0, 0, 0, 0]
    static let headerSize = 19
    static let trailerSize = 2
    /// Bytes of a field's length word.
    static let fieldOverhead = 4

    mutating func writeHeader() {
        Self.header.withUnsafeBufferPointer { header in
            (base + count).update(from: header.baseAddress!, count: header.count)
        }
        count += Self.header.count
    }

    mutating func writeTrailer() { int16(-1) }

    @inline(__always)
    mutating func int16(_ value: Int16) {
        UnsafeMutableRawPointer(base + count).storeBytes(of: value.bigEndian, as: Int16.self)
        count += 2
    }

    @inline(__always)
    mutating func int32(_ value: Int32) {
        UnsafeMutableRawPointer(base + count).storeBytes(of: value.bigEndian, as: Int32.self)
        count += 4
    }

    /// A `bigint` field.
    @inline(__always)
    mutating func bigint(_ value: Int64) {
        int32(8)
        UnsafeMutableRawPointer(base + count).storeBytes(of: value.bigEndian, as: Int64.self)
        count += 8
    }

    /// A field of fixed bytes, e.g. the 16 bytes of a `uuid`.
    mutating func bytes(_ value: UnsafeBufferPointer<UInt8>) {
        int32(Int32(value.count))
        if let source = value.baseAddress, value.count > 0 {
            (base + count).update(from: source, count: value.count)
            count += value.count
        }
    }

    /// A `text` field holding `bytes[start..<end]`; an empty span is NULL when `emptyIsNull`.
    @inline(__always)
    mutating func text(_ bytes: UnsafePointer<UInt8>, start: Int, end: Int, emptyIsNull: Bool) {
        let length = end - start
        if length == 0 && emptyIsNull {
            int32(-1)
            return
        }
        int32(Int32(length))
        (base + count).update(from: bytes + start, count: length)
        count += length
    }
}
