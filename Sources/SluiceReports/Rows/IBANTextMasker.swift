import SluiceCore

/// Masks IBANs inside free text, such as a raw record, for reports.
///
/// Two passes: the IBAN values the row's IBAN columns hold are replaced wherever they
/// occur, then anything shaped like an IBAN (two letters, two digits, 8–30 more letters or
/// digits, optionally in groups of four) keeps its first and last four characters and
/// shows `*` in between. Masking too much is the safe side of this trade.
public enum IBANTextMasker {
    /// Values shorter than this are not searched for in the text: they carry no account
    /// number, and replacing a short value everywhere would garble the record.
    static let minimumValueLength = 8

    public static func mask(_ text: String, knownValues: [String] = []) -> String {
        var bytes = Array(text.utf8)
        var changed = false
        for value in knownValues {
            let trimmed = value.trimmingSpaces
            guard trimmed.utf8.count >= minimumValueLength else { continue }
            changed = replace(Array(trimmed.utf8), with: Array(IBANMask.mask(trimmed).utf8), in: &bytes) || changed
        }
        changed = maskShapes(in: &bytes) || changed
        return changed ? String(decoding: bytes, as: UTF8.self) : text
    }

    /// Replaces every occurrence of `pattern` in `bytes`; returns whether there was one.
    private static func replace(_ pattern: [UInt8], with replacement: [UInt8], in bytes: inout [UInt8]) -> Bool {
        guard let first = pattern.first, bytes.count >= pattern.count else { return false }
        var result: [UInt8] = []
        var index = 0
        var found = false
        while index < bytes.count {
            if bytes[index] == first, index + pattern.count <= bytes.count, bytes[index..<(index + pattern.count)].elementsEqual(pattern) {
                if !found {
                    result.reserveCapacity(bytes.count + 8)
                    result.append(contentsOf: bytes[..<index])
                    found = true
                }
                result.append(contentsOf: replacement)
                index += pattern.count
            } else {
                if found { result.append(bytes[index]) }
                index += 1
            }
        }
        if found { bytes = result }
        return found
    }

    /// Masks every IBAN-shaped token of `text`.
    public static func maskShapes(in text: String) -> String {
        // Most values (names, e-mail addresses) hold no digit and cannot hold an IBAN.
        guard text.utf8.contains(where: isDigit) else { return text }
        var bytes = Array(text.utf8)
        return maskShapes(in: &bytes) ? String(decoding: bytes, as: UTF8.self) : text
    }

    private static func maskShapes(in bytes: inout [UInt8]) -> Bool {
        var changed = false
        var index = 0
        while index + 4 <= bytes.count {
            guard isLetter(bytes[index]), isLetter(bytes[index + 1]), isDigit(bytes[index + 2]), isDigit(bytes[index + 3]),
                  index == 0 || !isAlphanumeric(bytes[index - 1])
            else {
                index += 1
                continue
            }
            // Collect the token's alphanumeric positions; a single space may separate groups
            // of four, as IBANs are printed.
            var positions: [Int] = []
            var group = 0
            var cursor = index
            while cursor < bytes.count {
                let byte = bytes[cursor]
                if isAlphanumeric(byte) {
                    positions.append(cursor)
                    group += 1
                    cursor += 1
                } else if byte == UInt8(ascii: " "), group == 4, cursor + 1 < bytes.count, isAlphanumeric(bytes[cursor + 1]) {
                    group = 0
                    cursor += 1
                } else {
                    break
                }
            }
            if (12...34).contains(positions.count) {
                for position in positions.dropFirst(4).dropLast(4) { bytes[position] = UInt8(ascii: "*") }
                changed = true
            }
            index = max(cursor, index + 1)
        }
        return changed
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
    }

    private static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool { isLetter(byte) || isDigit(byte) }
}

extension String {
    fileprivate var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
