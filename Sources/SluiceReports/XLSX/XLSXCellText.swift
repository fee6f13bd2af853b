/// Makes any text safe to hand to libxlsxwriter as a cell: no NUL (it ends a C string), and
/// at most Excel's 32,767 characters (UTF-16 units, the stricter count), cut with a marker.
public enum XLSXCellText {
    public static let maximumLength = 32_767
    public static let truncationMarker = "… [truncated]"

    public static func sanitise(_ text: String) -> String {
        sanitised(text).text
    }

    /// Like ``sanitise(_:)``, and says whether the text was cut.
    public static func sanitised(_ text: String) -> (text: String, truncated: Bool) {
        var text = text
        if text.utf8.contains(0) {
            text = String(String.UnicodeScalarView(text.unicodeScalars.map { $0 == "\0" ? "\u{FFFD}" : $0 }))
        }
        guard text.utf16.count > maximumLength else { return (text, false) }
        let budget = maximumLength - truncationMarker.utf16.count
        var kept = String.UnicodeScalarView()
        var used = 0
        for scalar in text.unicodeScalars {
            let width = scalar.utf16.count
            if used + width > budget { break }
            kept.append(scalar)
            used += width
        }
        return (String(kept) + truncationMarker, true)
    }
}
