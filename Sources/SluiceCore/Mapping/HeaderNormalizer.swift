/// Normalises a header cell the way operators' files are matched to fields:
/// lower-case, every run of non-alphanumerics becomes `_`, `_` trimmed at both ends.
///
/// `"IBAN Number"` → `iban_number`, `"E-Mail"` → `e_mail`, `" Zip Code "` → `zip_code`.
/// Letters outside ASCII are kept (lower-cased), so `"Straße"` → `straße`.
public enum HeaderNormalizer {
    public static func normalize(_ header: String) -> String {
        var result = ""
        var pendingUnderscore = false
        for character in header.lowercased() {
            if character.isLetter || character.isNumber {
                if pendingUnderscore && !result.isEmpty { result.append("_") }
                pendingUnderscore = false
                result.append(character)
            } else {
                pendingUnderscore = true
            }
        }
        return result
    }
}
