import Foundation
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
        var text = text
        for value in knownValues {
            let trimmed = value.trimmingSpaces
            guard trimmed.count >= minimumValueLength, text.contains(trimmed) else { continue }
            text = text.replacingOccurrences(of: trimmed, with: IBANMask.mask(trimmed))
        }
        return maskShapes(in: text)
    }

    /// Masks every IBAN-shaped token of `text`.
    static func maskShapes(in text: String) -> String {
        var bytes = Array(text.utf8)
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
        return changed ? String(decoding: bytes, as: UTF8.self) : text
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
