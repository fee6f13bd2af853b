/// Hides the account number of an IBAN for display: country, check digits and the last
/// four characters stay, the rest becomes `*` (`DE89**************3000`).
public enum IBANMask {
    public static func mask(_ iban: some StringProtocol) -> String {
        let compact = String(iban.filter { !$0.isWhitespace }).uppercased()
        guard compact.count > 8 else { return String(repeating: "*", count: compact.count) }
        return String(compact.prefix(4)) + String(repeating: "*", count: compact.count - 8) + String(compact.suffix(4))
    }
}
