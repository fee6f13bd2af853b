import SluiceReports

/// What logs and span attributes show of free text: anything shaped like an IBAN masked as
/// the reports mask it (`IBANTextMasker`), but UUIDs kept whole. Run ids, request ids and
/// object keys hold UUIDs, and a UUID's last group can look like an IBAN (`…-af72bcb548db`):
/// masking it would break the ids operators search logs for.
enum SensitiveText {
    static func mask(_ text: String) -> String {
        // Most values (names, routes, statuses) hold no digit and cannot hold an IBAN.
        guard text.utf8.contains(where: isDigit) else { return text }
        let bytes = Array(text.utf8)
        var uuids: [Range<Int>] = []
        var index = 0
        while index + 36 <= bytes.count {
            if isUUID(bytes, at: index) {
                uuids.append(index..<(index + 36))
                index += 36
            } else {
                index += 1
            }
        }
        guard !uuids.isEmpty else { return IBANTextMasker.maskShapes(in: text) }
        var result = ""
        var start = 0
        for uuid in uuids {
            result += IBANTextMasker.maskShapes(in: String(decoding: bytes[start..<uuid.lowerBound], as: UTF8.self))
            result += String(decoding: bytes[uuid], as: UTF8.self)
            start = uuid.upperBound
        }
        result += IBANTextMasker.maskShapes(in: String(decoding: bytes[start...], as: UTF8.self))
        return result
    }

    /// `8-4-4-4-12` hexadecimal digits, not inside a longer alphanumeric token.
    static func isUUID(_ bytes: [UInt8], at start: Int) -> Bool {
        if start > 0, isAlphanumeric(bytes[start - 1]) { return false }
        if start + 36 < bytes.count, isAlphanumeric(bytes[start + 36]) { return false }
        for offset in 0..<36 {
            let byte = bytes[start + offset]
            if offset == 8 || offset == 13 || offset == 18 || offset == 23 {
                guard byte == UInt8(ascii: "-") else { return false }
            } else {
                guard isHex(byte) else { return false }
            }
        }
        return true
    }

    private static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }

    private static func isHex(_ byte: UInt8) -> Bool {
        isDigit(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(byte)
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        isDigit(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }
}
