import SluiceCore

/// The skips of a chunk as column arrays; absent values as '' and -1.
struct SkipColumns {
    var lines: [Int64] = []
    var masked: [String] = []
    var amounts: [Int64] = []
    var models: [String] = []
    var reasons: [String] = []
    var details: [String] = []
    var counts: [BillingSkipReason: Int] = [:]

    mutating func append(_ row: BillingCandidate, reason: BillingSkipReason, detail: String) {
        lines.append(row.sourceLine)
        masked.append(row.iban.map(IBANMask.mask) ?? "")
        amounts.append(row.amountMinor ?? -1)
        models.append(row.amountMinor.map { BillingModel(amountMinor: $0).rawValue } ?? "")
        reasons.append(reason.rawValue)
        details.append(detail)
        counts[reason, default: 0] += 1
    }
}
