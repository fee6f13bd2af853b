/// Minimal UTF-8 decoding over raw bytes for the field checks, which look at a few scalars
/// per value and must not build Strings.
enum UTF8Decoding {
    /// Marks a byte sequence that is not valid UTF-8.
    static let invalid: UInt32 = 0xFFFF_FFFF

    /// The scalar starting at `index` and its length in bytes; `invalid` with length 1 for a bad sequence.
    @inline(__always)
    static func scalar(in bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> (value: UInt32, length: Int) {
        let lead = bytes[index]
        if lead < 0x80 { return (UInt32(lead), 1) }
        let count = bytes.count
        @inline(__always) func continuation(_ offset: Int) -> UInt32? {
            guard index + offset < count else { return nil }
            let byte = bytes[index + offset]
            return byte & 0xC0 == 0x80 ? UInt32(byte & 0x3F) : nil
        }
        if lead >= 0xC2 && lead <= 0xDF, let b1 = continuation(1) {
            return ((UInt32(lead & 0x1F) << 6) | b1, 2)
        }
        if lead >= 0xE0 && lead <= 0xEF, let b1 = continuation(1), let b2 = continuation(2) {
            let value = (UInt32(lead & 0x0F) << 12) | (b1 << 6) | b2
            if value >= 0x800 && !(0xD800...0xDFFF).contains(value) { return (value, 3) }
        }
        if lead >= 0xF0 && lead <= 0xF4, let b1 = continuation(1), let b2 = continuation(2), let b3 = continuation(3) {
            let value = (UInt32(lead & 0x07) << 18) | (b1 << 12) | (b2 << 6) | b3
            if value >= 0x10000 && value <= 0x10FFFF { return (value, 4) }
        }
        return (invalid, 1)
    }

    /// Bounds of `bytes` without surrounding ASCII white space.
    @inline(__always)
    static func trimmed(_ bytes: UnsafeBufferPointer<UInt8>) -> Range<Int> {
        var start = 0
        var end = bytes.count
        while start < end && isSpace(bytes[start]) { start += 1 }
        while end > start && isSpace(bytes[end - 1]) { end -= 1 }
        return start..<end
    }

    @inline(__always)
    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }
}
