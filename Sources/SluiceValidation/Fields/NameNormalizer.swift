/// Rewrites a name into the characters `NameCheck` allows, for `validation.characters: normalise`.
///
/// Dashes become hyphens (`–` `—` → `-`); tabs, slashes, underscores and plus signs become
/// spaces; every other character a name may not hold is dropped (quotes around a nickname,
/// digits, symbols, emoji). Runs of spaces then collapse to one and the ends are trimmed, so
/// `John "Johnny" Smith` becomes `John Johnny Smith`.
public enum NameNormalizer {
    /// Appends the normalised form of `bytes` to `output`.
    ///
    /// - Returns: whether any letter is left; a name of nothing but symbols is not a name.
    @discardableResult
    public static func append(_ bytes: UnsafeBufferPointer<UInt8>, scriptBits: UInt8, allowComma: Bool, to output: inout [UInt8]) -> Bool {
        let start = output.count
        var hasLetter = false
        var pendingSpace = false
        func emit(_ slice: UnsafeBufferPointer<UInt8>.SubSequence, isSpace: Bool, isLetter: Bool) {
            if isSpace {
                pendingSpace = output.count > start
                return
            }
            if pendingSpace { output.append(UInt8(ascii: " ")) }
            pendingSpace = false
            output.append(contentsOf: slice)
            if isLetter { hasLetter = true }
        }
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            let length = byte < 0x80 ? 1 : UTF8Decoding.scalar(in: bytes, at: index).length
            let character = UnsafeBufferPointer(rebasing: bytes[index..<min(index + length, bytes.count)])
            index += length
            if length == 1 {
                switch byte {
                case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "/"), UInt8(ascii: "_"), UInt8(ascii: "+"):
                    emit(character[...], isSpace: true, isLetter: false)
                    continue
                default:
                    break
                }
            } else {
                let scalar = UTF8Decoding.scalar(in: bytes, at: index - length).value
                if scalar == 0x2013 || scalar == 0x2014 {  // en and em dash
                    let hyphen: [UInt8] = [UInt8(ascii: "-")]
                    hyphen.withUnsafeBufferPointer { emit($0[...], isSpace: false, isLetter: false) }
                    continue
                }
                if scalar == 0x00A0 {
                    emit(character[...], isSpace: true, isLetter: false)
                    continue
                }
            }
            guard !NameCheck.hasInvalidCharacters(character, scriptBits: scriptBits, allowComma: allowComma) else { continue }
            let isLetter = length > 1 || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z"))
            emit(character[...], isSpace: false, isLetter: isLetter && !isPunctuation(character))
        }
        return hasLetter
    }

    /// String variant of `append`, for tests and tools: `nil` when no letter is left.
    public static func normalise(_ name: String, scripts: Set<NameScript> = NameScript.defaults, allowComma: Bool = false) -> String? {
        var name = name
        var output: [UInt8] = []
        let bits = scripts.reduce(0) { $0 | $1.bit }
        let hasLetter = name.withUTF8 { append($0, scriptBits: bits, allowComma: allowComma, to: &output) }
        return hasLetter ? String(decoding: output, as: UTF8.self) : nil
    }

    /// Allowed non-letters of more than one byte: apostrophes, the middle dot, hyphens, marks.
    private static func isPunctuation(_ character: UnsafeBufferPointer<UInt8>) -> Bool {
        guard character.count > 1 else { return false }
        let scalar = UTF8Decoding.scalar(in: character, at: 0).value
        return [0x00B4, 0x00B7, 0x02BC, 0x2010, 0x2011, 0x2018, 0x2019].contains(scalar) || NameCheck.isCombiningMark(scalar)
    }
}
