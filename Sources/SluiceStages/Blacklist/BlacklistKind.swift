import Foundation
import SluiceCore
import SluiceValidation

/// What a blacklist entry matches on.
public enum BlacklistKind: String, Sendable, Hashable, CaseIterable, Codable {
    case iban
    case name
    case email
    case bic
    case bicPrefix = "bic_prefix"

    /// The key an entry is stored and matched under, and the text that may be shown for it.
    ///
    /// - IBAN: the hex SHA-256 of the compact, upper-case IBAN; shown masked. `sha256:<hex>`
    ///   is accepted as is, which is how an export round-trips.
    /// - Name: folded words (`NameFolding`), first name first.
    /// - E-mail: trimmed, lower-cased. BIC: compact, upper-case, 11 characters. BIC prefix:
    ///   compact, upper-case, 2 to 11 characters.
    ///
    /// - Throws: `SluiceError` (`invalid_argument`) naming what is wrong with `value`.
    public func normalize(_ value: String) throws -> (key: String, display: String) {
        func invalid(_ reason: String) -> SluiceError { SluiceError(.invalidArgument, reason, column: rawValue) }
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw invalid("the \(label) is empty") }
        switch self {
        case .iban:
            if trimmed.lowercased().hasPrefix("sha256:") {
                guard let digest = IBANDigest(hex: trimmed.dropFirst(7)) else {
                    throw invalid("a hashed IBAN must be sha256: followed by 64 hex digits")
                }
                return (digest.hex, "sha256:" + digest.hex.prefix(12) + "…")
            }
            let compact = ScreeningKeys.compactUpper(trimmed)
            let result = IBANValidator.validate(compact)
            guard result.isValid else { throw invalid("not a valid IBAN: \(result.message)") }
            return (IBANDigest(iban: compact).hex, IBANMask.mask(compact))
        case .name:
            let folded = NameFolding.fold(trimmed)
            guard !folded.isEmpty else { throw invalid("the name has no letters") }
            return (folded, folded)
        case .email:
            let email = ScreeningKeys.email(trimmed)
            guard email.contains("@"), !email.contains(where: \.isWhitespace) else { throw invalid("not an e-mail address: it needs one @ and no spaces") }
            return (email, email)
        case .bic:
            let bic = ScreeningKeys.bic(trimmed)
            guard BICValidator.validate(bic).isValid else { throw invalid("not a BIC: it needs 8 or 11 letters and digits (bank, country, location, branch)") }
            return (bic, bic)
        case .bicPrefix:
            let prefix = ScreeningKeys.compactUpper(trimmed)
            guard (2...11).contains(prefix.count) else { throw invalid("a BIC prefix has 2 to 11 letters and digits") }
            return (prefix, prefix + "…")
        }
    }

    var label: String {
        switch self {
        case .iban: "IBAN"
        case .name: "name"
        case .email: "e-mail"
        case .bic: "BIC"
        case .bicPrefix: "BIC prefix"
        }
    }
}
