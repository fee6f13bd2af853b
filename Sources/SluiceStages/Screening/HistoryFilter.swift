/// The IBANs with relevant history, loaded once per run: those ever charged back and those
/// attempted within the cooldown window. Held as the first 8 bytes of each SHA-256, sorted,
/// 8 bytes an IBAN (0.5 MB for 60k IBANs).
///
/// It only says which IBANs may have history; `AttemptHistory` confirms the candidates of a
/// batch with the database, so an 8-byte collision can never reject a row.
struct HistoryFilter: Sendable {
    private var prefixes: [UInt64]

    init(prefixes: [UInt64]) {
        self.prefixes = prefixes.sorted()
    }

    var count: Int { prefixes.count }

    func mayHaveHistory(_ digest: IBANDigest) -> Bool {
        var low = 0
        var high = prefixes.count
        while low < high {
            let middle = (low + high) / 2
            if prefixes[middle] < digest.a { low = middle + 1 } else { high = middle }
        }
        return low < prefixes.count && prefixes[low] == digest.a
    }
}
