import SluiceCore
import SluicePostgres
import SluiceStages
import SluiceValidation

/// What the stage keys a payee by within a run: the IBAN's SHA-256 (four words, cheap to hash)
/// and the normalised name. The provider is the stage's own, so it joins the key only in
/// `VOPResultCache.Key`.
struct PayeeKey: Hashable, Sendable {
    var digest: IBANDigest
    var name: String

    func cacheKey(provider: String) -> VOPResultCache.Key {
        VOPResultCache.Key(ibanSHA256: digest.bytes, normalizedName: name, provider: provider)
    }
}

/// One accepted row's payee as the stage asks about it: the IBAN and name sent, the account
/// type, and the key.
///
/// Read from the batch's bytes: an IBAN the validate stage left compact and upper-case, and
/// names without surrounding blanks, cost one `String` each and no Unicode-property lookups.
struct VOPPayee: Sendable {
    var row: Int
    /// The row's line (CSV) or row number (XLSX) in the source.
    var line: Int64
    var iban: String
    var name: String
    var accountType: PayeeAccountType
    var key: PayeeKey

    /// The payee of `row`, or `nil` when the row has no IBAN or no name to send.
    static func read(
        row: Int, in batch: RecordBatch, columns: VOPStage.Columns, configuration: VOPStageConfiguration,
        scratch: inout NormalizedPayeeName
    ) -> VOPPayee? {
        guard let ibanColumn = columns.iban else { return nil }
        let ibanSpan = batch.valueSpan(row: row, column: ibanColumn)
        guard let (iban, digest) = batch.arena.withUnsafeBufferPointer({ arena in
            compactIBAN(UnsafeBufferPointer(rebasing: arena[ibanSpan]))
        }) else { return nil }
        let nameBytes = payeeNameBytes(of: row, in: batch, columns: columns)
        guard !nameBytes.isEmpty else { return nil }
        let declared = columns.accountType.flatMap { Self.accountType(named: batch.string(row: row, column: $0)) }
        let accountType = nameBytes.withUnsafeBufferPointer { bytes -> PayeeAccountType in
            if let type = declared ?? configuration.accountType {
                PayeeNameNormalizer.normalize(bytes, accountType: type, into: &scratch)
                return type
            }
            return PayeeNameNormalizer.normalizeGuessingAccountType(bytes, into: &scratch)
        }
        guard !scratch.isEmpty else { return nil }
        return VOPPayee(
            row: row, line: batch.lines[row], iban: iban, name: String(decoding: nameBytes, as: UTF8.self), accountType: accountType,
            key: PayeeKey(digest: digest, name: scratch.text))
    }

    /// The IBAN compact and upper-case, and its digest; `nil` when empty. Bytes that already are
    /// (the validate stage's output) are taken as they are.
    static func compactIBAN(_ bytes: UnsafeBufferPointer<UInt8>) -> (String, IBANDigest)? {
        guard !bytes.isEmpty else { return nil }
        if bytes.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) }) {
            return (String(decoding: bytes, as: UTF8.self), IBANDigest(normalized: bytes))
        }
        let compact = String(String.UnicodeScalarView(String(decoding: bytes, as: UTF8.self).unicodeScalars.filter {
            !$0.properties.isWhitespace
        })).uppercased()
        guard !compact.isEmpty else { return nil }
        return (compact, IBANDigest(iban: compact))
    }

    /// The payee's name as UTF-8: first and last name joined by a space, else the full-name
    /// column; blanks around each part left out. Empty when there is no name.
    static func payeeNameBytes(of row: Int, in batch: RecordBatch, columns: VOPStage.Columns) -> [UInt8] {
        batch.arena.withUnsafeBufferPointer { arena in
            func part(_ column: Int?) -> UnsafeBufferPointer<UInt8> {
                guard let column else { return UnsafeBufferPointer(start: nil, count: 0) }
                return trimmed(UnsafeBufferPointer(rebasing: arena[batch.valueSpan(row: row, column: column)]))
            }
            let first = part(columns.first)
            let last = part(columns.last)
            var name: [UInt8] = []
            name.reserveCapacity(first.count + last.count + 1)
            name.append(contentsOf: first)
            if !first.isEmpty && !last.isEmpty { name.append(0x20) }
            name.append(contentsOf: last)
            if name.isEmpty { name.append(contentsOf: part(columns.full)) }
            return name
        }
    }

    /// `bytes` without ASCII blanks (space, tab, CR, LF) at either end.
    static func trimmed(_ bytes: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }
        var start = 0
        var end = bytes.count
        while start < end, isBlank(bytes[start]) { start += 1 }
        while end > start, isBlank(bytes[end - 1]) { end -= 1 }
        return UnsafeBufferPointer(rebasing: bytes[start..<end])
    }

    /// The account type a cell names; `nil` for an empty or unknown value.
    static func accountType(named text: String) -> PayeeAccountType? {
        switch text.trimmingSpaces.lowercased() {
        case "individual", "person", "private", "consumer", "natural_person": .individual
        case "company", "business", "organisation", "organization", "legal_entity": .company
        default: nil
        }
    }

    /// `IBANMask.mask(iban)` for the compact ASCII IBANs the stage sends, without its
    /// per-character Unicode checks; anything else goes through `IBANMask`.
    static func masked(_ iban: String) -> String {
        var iban = iban
        return iban.withUTF8 { bytes in
            guard bytes.count > 8, bytes.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) }) else {
                return IBANMask.mask(String(decoding: bytes, as: UTF8.self))
            }
            return String(unsafeUninitializedCapacity: bytes.count) { output in
                for index in 0..<bytes.count {
                    output[index] = index < 4 || index >= bytes.count - 4 ? bytes[index] : UInt8(ascii: "*")
                }
                return bytes.count
            }
        }
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
