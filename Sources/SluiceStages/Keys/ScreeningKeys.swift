import Foundation

/// Normal forms of the values screening matches on, shared by blacklist entries and rows.
///
/// Rows reach screening after validation, which already stores IBANs and BICs compact and
/// upper-case; these functions make entries typed by people match them.
public enum ScreeningKeys {
    /// Letters and digits only, upper-cased: IBANs, BICs and BIC prefixes.
    public static func compactUpper(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.filter { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)) })).uppercased()
    }

    /// A BIC in its 11-character form: an 8-character BIC is the head office, `XXX`.
    public static func bic(_ text: String) -> String {
        let compact = compactUpper(text)
        return compact.count == 8 ? compact + "XXX" : compact
    }

    /// An e-mail address trimmed and lower-cased.
    public static func email(_ text: String) -> String {
        text.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }

    /// Appends a row's e-mail bytes, trimmed and with ASCII letters lower-cased.
    static func appendEmail(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        var start = 0
        var end = bytes.count
        while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
        while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
        for index in start..<end {
            let byte = bytes[index]
            out.append(byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte)
        }
    }

    /// Appends a row's BIC in its 11-character form (validation stored it compact, upper-case).
    static func appendBIC(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        out.append(contentsOf: bytes)
        if bytes.count == 8 { out.append(contentsOf: [0x58, 0x58, 0x58]) }
    }
}
