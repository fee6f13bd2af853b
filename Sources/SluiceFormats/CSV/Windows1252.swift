/// Windows-1252 to UTF-8. Bytes 0xA0–0xFF are Latin-1; 0x80–0x9F are the Windows
/// punctuation (€ ‚ „ … ‘ ’ “ ” – —); the five undefined ones map to C1 controls, as
/// browsers do, so no byte is lost.
enum Windows1252 {
    static let high: [UInt16] = [
        0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
        0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
    ]

    static func scalar(for byte: UInt8) -> Unicode.Scalar {
        if byte >= 0x80 && byte < 0xA0 { return Unicode.Scalar(high[Int(byte) - 0x80])! }
        return Unicode.Scalar(byte)
    }

    /// Appends the UTF-8 form of `arena[span]` to the arena and returns its new span.
    static func appendTranscoded(_ span: Range<Int>, in arena: inout [UInt8]) -> (Int32, Int32) {
        let start = arena.count
        for index in span {
            let byte = arena[index]
            if byte < 0x80 {
                arena.append(byte)
            } else {
                UTF8.encode(scalar(for: byte)) { arena.append($0) }
            }
        }
        return (Int32(start), Int32(arena.count))
    }

    /// Decodes a whole buffer, for headers and tools.
    static func decode<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> String {
        var scalars = String.UnicodeScalarView()
        for byte in bytes { scalars.append(scalar(for: byte)) }
        return String(scalars)
    }
}
