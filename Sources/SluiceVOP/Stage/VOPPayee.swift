import SluiceCore
import SluicePostgres
import SluiceStages
import SluiceValidation

/// One accepted row's payee as the stage asks about it: the IBAN and name sent, and the cache
/// key made of the IBAN's SHA-256, the normalised name and the provider.
struct VOPPayee: Sendable {
    var row: Int
    /// The row's line (CSV) or row number (XLSX) in the source.
    var line: Int64
    var iban: String
    var name: String
    var accountType: PayeeAccountType
    var key: VOPResultCache.Key

    /// The payee of `row`, or `nil` when the row has no IBAN or no name to send.
    static func read(
        row: Int, in batch: RecordBatch, columns: VOPStage.Columns, configuration: VOPStageConfiguration, provider: String,
        scratch: inout NormalizedPayeeName
    ) -> VOPPayee? {
        guard let ibanColumn = columns.iban else { return nil }
        let iban = compact(batch.string(row: row, column: ibanColumn))
        guard !iban.isEmpty, let name = payeeName(of: row, in: batch, columns: columns) else { return nil }
        let declared = columns.accountType.flatMap { Self.accountType(named: batch.string(row: row, column: $0)) }
        var accountType = declared ?? configuration.accountType ?? .company
        let bytes = Array(name.utf8)
        bytes.withUnsafeBufferPointer { PayeeNameNormalizer.normalize($0, accountType: accountType, into: &scratch) }
        if declared == nil, configuration.accountType == nil, scratch.legalForms.isEmpty {
            // Guessing, and no legal form in the name: a person's account.
            accountType = .individual
            bytes.withUnsafeBufferPointer { PayeeNameNormalizer.normalize($0, accountType: .individual, into: &scratch) }
        }
        guard !scratch.isEmpty else { return nil }
        let digest = Array(iban.utf8).withUnsafeBufferPointer { IBANDigest(normalized: $0) }
        return VOPPayee(
            row: row, line: batch.lines[row], iban: iban, name: name, accountType: accountType,
            key: VOPResultCache.Key(ibanSHA256: digest.bytes, normalizedName: scratch.text, provider: provider))
    }

    /// The payee's name: first and last joined, else the full-name column; `nil` when empty.
    static func payeeName(of row: Int, in batch: RecordBatch, columns: VOPStage.Columns) -> String? {
        let first = columns.first.map { batch.string(row: row, column: $0) } ?? ""
        let last = columns.last.map { batch.string(row: row, column: $0) } ?? ""
        var name = first.isEmpty ? last : (last.isEmpty ? first : first + " " + last)
        if name.isEmpty, let full = columns.full { name = batch.string(row: row, column: full) }
        let trimmed = name.trimmingSpaces
        return trimmed.isEmpty ? nil : trimmed
    }

    /// The account type a cell names; `nil` for an empty or unknown value.
    static func accountType(named text: String) -> PayeeAccountType? {
        switch text.trimmingSpaces.lowercased() {
        case "individual", "person", "private", "consumer", "natural_person": .individual
        case "company", "business", "organisation", "organization", "legal_entity": .company
        default: nil
        }
    }

    /// The IBAN without spaces, upper-cased.
    static func compact(_ iban: String) -> String {
        String(String.UnicodeScalarView(iban.unicodeScalars.filter { !$0.properties.isWhitespace })).uppercased()
    }
}

extension RecordBatch {
    /// Mapped value `column` of `row` as a `String` (invalid UTF-8 repaired).
    func string(row: Int, column: Int) -> String {
        String(decoding: arena[valueSpan(row: row, column: column)], as: UTF8.self)
    }
}

extension String {
    var trimmingSpaces: String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}
