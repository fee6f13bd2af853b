import SluiceCore

/// The attempts of a chunk as column arrays, for one `unnest` insert.
struct AttemptColumns {
    var lines: [Int64] = []
    var hashes: [String] = []
    var masked: [String] = []
    var amounts: [Int64] = []
    var currencies: [String] = []
    var models: [String] = []
    var transactionIDs: [String] = []
    var terminals: [String] = []

    mutating func append(_ row: BillingCandidate, model: BillingModel, transactionID: String, terminal: String, currency: String) {
        lines.append(row.sourceLine)
        hashes.append(BillingStore.hex(row.ibanHash))
        masked.append(row.iban.map(IBANMask.mask) ?? "")
        amounts.append(row.amountMinor ?? 0)
        currencies.append(currency)
        models.append(model.rawValue)
        transactionIDs.append(transactionID)
        terminals.append(terminal)
    }
}
