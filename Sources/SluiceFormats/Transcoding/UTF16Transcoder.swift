/// Converts UTF-16 bytes to UTF-8, chunk by chunk: a code unit or a surrogate pair may be
/// split across chunks.
///
/// Text that is not valid UTF-16 is not repaired: an unpaired surrogate becomes its 3-byte
/// (ill-formed) UTF-8 form and a final odd byte becomes `0xFF`, so the CSV decoder's UTF-8
/// check rejects the record that holds it, with its line, instead of loading a guess.
/// A byte order mark at the very start is dropped.
struct UTF16Transcoder {
    let bigEndian: Bool
    /// A byte of a code unit whose other byte is in the next chunk.
    private var carry: UInt8?
    /// A high surrogate waiting for its low surrogate.
    private var high: UInt16?
    private var atStart = true

    init(bigEndian: Bool) {
        self.bigEndian = bigEndian
    }

    /// Appends the UTF-8 for `bytes` to `output`.
    mutating func transcode(_ bytes: UnsafeBufferPointer<UInt8>, into output: inout [UInt8]) {
        output.reserveCapacity(output.count + bytes.count * 3 / 2 + 8)
        var index = 0
        if let first = carry, !bytes.isEmpty {
            carry = nil
            emit(unit(first, bytes[0]), into: &output)
            index = 1
        }
        while index + 1 < bytes.count {
            emit(unit(bytes[index], bytes[index + 1]), into: &output)
            index += 2
        }
        if index < bytes.count { carry = bytes[index] }
    }

    /// Appends what is left at the end of the input: an unpaired high surrogate, an odd byte.
    mutating func finish(into output: inout [UInt8]) {
        if let high {
            appendIllFormed(high, into: &output)
            self.high = nil
        }
        if carry != nil {
            output.append(0xFF)
            carry = nil
        }
    }

    private func unit(_ first: UInt8, _ second: UInt8) -> UInt16 {
        bigEndian ? UInt16(first) << 8 | UInt16(second) : UInt16(second) << 8 | UInt16(first)
    }

    private mutating func emit(_ unit: UInt16, into output: inout [UInt8]) {
        if atStart {
            atStart = false
            if unit == 0xFEFF { return }
        }
        if let pending = high {
            high = nil
            if (0xDC00...0xDFFF).contains(unit) {
                let scalar = 0x10000 + (UInt32(pending - 0xD800) << 10) + UInt32(unit - 0xDC00)
                output.append(0xF0 | UInt8(scalar >> 18))
                output.append(0x80 | UInt8((scalar >> 12) & 0x3F))
                output.append(0x80 | UInt8((scalar >> 6) & 0x3F))
                output.append(0x80 | UInt8(scalar & 0x3F))
                return
            }
            appendIllFormed(pending, into: &output)
        }
        switch unit {
        case 0..<0x80:
            output.append(UInt8(unit))
        case 0x80..<0x800:
            output.append(0xC0 | UInt8(unit >> 6))
            output.append(0x80 | UInt8(unit & 0x3F))
        case 0xD800...0xDBFF:
            high = unit
        case 0xDC00...0xDFFF:
            appendIllFormed(unit, into: &output)
        default:
            output.append(0xE0 | UInt8(unit >> 12))
            output.append(0x80 | UInt8((unit >> 6) & 0x3F))
            output.append(0x80 | UInt8(unit & 0x3F))
        }
    }

    /// A lone surrogate encoded as if it were a scalar (`ED A0 80`…`ED BF BF`): strict UTF-8
    /// validation refuses it, and it shows as U+FFFD where the record is displayed.
    private func appendIllFormed(_ surrogate: UInt16, into output: inout [UInt8]) {
        output.append(0xE0 | UInt8(surrogate >> 12))
        output.append(0x80 | UInt8((surrogate >> 6) & 0x3F))
        output.append(0x80 | UInt8(surrogate & 0x3F))
    }
}
