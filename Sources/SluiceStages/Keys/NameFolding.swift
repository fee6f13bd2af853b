/// The normal form of a person's name for blacklist matching, computed on UTF-8 bytes.
///
/// Letters are lower-cased and Latin letters lose their accents (`Müller` → `muller`,
/// `Łukasz` → `lukasz`, `ß` → `ss`); Greek capitals become small letters. Anything that is not
/// a letter or digit separates words, and words are joined by one space. The same function
/// builds a blacklist entry's key and a row's key, so they cannot drift apart.
public enum NameFolding {
    /// Appends the folded words of `bytes` to `out`, one space before each word when `out`
    /// already holds a word.
    public static func append(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        var index = 0
        var pendingSpace = !out.isEmpty
        @inline(__always) func word(_ byte: UInt8) {
            if pendingSpace { out.append(0x20); pendingSpace = false }
            out.append(byte)
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte < 0x80 {
                switch byte {
                case UInt8(ascii: "A")...UInt8(ascii: "Z"): word(byte | 0x20)
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"): word(byte)
                default: if !out.isEmpty { pendingSpace = true }
                }
                index += 1
                continue
            }
            let length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1
            guard index + length <= bytes.count else { break }
            if length == 2 {
                let scalar = (Int(byte & 0x1F) << 6) | Int(bytes[index + 1] & 0x3F)
                if let folded = fold(scalar) {
                    if folded.isEmpty {
                        if !out.isEmpty { pendingSpace = true }
                    } else {
                        for letter in folded { word(letter) }
                    }
                    index += 2
                    continue
                }
                if (0x391...0x3A9).contains(scalar) {
                    // Greek capital → small letter: U+0391…U+03A9 → U+03B1…U+03C9.
                    let small = scalar + 0x20
                    word(UInt8(0xC0 | (small >> 6)))
                    out.append(UInt8(0x80 | (small & 0x3F)))
                    index += 2
                    continue
                }
            }
            // Other scripts are kept as they are.
            if pendingSpace { out.append(0x20); pendingSpace = false }
            for offset in 0..<length { out.append(bytes[index + offset]) }
            index += length
        }
    }

    /// The folded form of a whole name given as text, e.g. when a blacklist entry is added.
    public static func fold(_ text: String) -> String {
        var out: [UInt8] = []
        var utf8 = Array(text.utf8)
        utf8.withUnsafeMutableBufferPointer { append(UnsafeBufferPointer($0), to: &out) }
        return String(decoding: out, as: UTF8.self)
    }

    /// ASCII letters for a Latin-1 or Latin Extended-A letter; empty for a separator
    /// (× ÷); `nil` for anything else.
    static func fold(_ scalar: Int) -> [UInt8]? {
        switch scalar {
        case 0xC0...0xFF: return latin1[scalar - 0xC0]
        case 0x100...0x17F: return latinExtendedA[scalar - 0x100]
        default: return nil
        }
    }

    private static func expand(_ runs: [(Int, String)]) -> [[UInt8]] {
        var table: [[UInt8]] = []
        for (count, letters) in runs {
            // A two-letter ligature covers a capital and a small letter: one entry each.
            for _ in 0..<count { table.append(Array(letters.utf8)) }
        }
        return table
    }

    /// U+00C0…U+00FF.
    private static let latin1: [[UInt8]] = {
        let half: [(Int, String)] = [
            (6, "a"), (1, "ae"), (1, "c"), (4, "e"), (4, "i"), (1, "d"), (1, "n"), (5, "o"), (1, ""),
            (1, "o"), (4, "u"), (1, "y"), (1, "th"),
        ]
        var table = expand(half + [(1, "ss")])
        table += expand(half + [(1, "y")])
        return table
    }()

    /// U+0100…U+017F.
    private static let latinExtendedA: [[UInt8]] = expand([
        (6, "a"), (8, "c"), (4, "d"), (10, "e"), (8, "g"), (4, "h"), (10, "i"), (2, "ij"), (2, "j"), (3, "k"),
        (10, "l"), (9, "n"), (6, "o"), (2, "oe"), (6, "r"), (8, "s"), (6, "t"), (12, "u"), (2, "w"), (3, "y"),
        (6, "z"), (1, "s"),
    ])
}
