/// The whole blacklist in memory, for screening one run.
///
/// Loaded once when a run starts (`BlacklistStore.loadIndex`): lookups then cost no query,
/// and the index is small (32 bytes per IBAN, the normalised text of other entries;
/// about 5 MB for 100k entries). Entries added while a run is in progress apply from the
/// next run.
public struct BlacklistIndex: Sendable {
    public var ibans: Set<IBANDigest> = []
    public var names = ByteKeySet()
    public var emails = ByteKeySet()
    /// BICs in their 11-character form.
    public var bics = ByteKeySet()
    public var bicPrefixes = ByteKeySet()

    public init() {}

    public var count: Int { ibans.count + names.count + emails.count + bics.count + bicPrefixes.count }

    /// Adds an entry by its stored key (see `BlacklistKind.normalize`).
    public mutating func add(kind: BlacklistKind, key: String) {
        switch kind {
        case .iban: if let digest = IBANDigest(hex: key) { ibans.insert(digest) }
        case .name: names.insert(key.utf8)
        case .email: emails.insert(key.utf8)
        case .bic: bics.insert(key.utf8)
        case .bicPrefix: bicPrefixes.insert(key.utf8)
        }
    }

    /// Whether an 11-character BIC, or one of its prefixes, is blacklisted.
    func matchesBIC(_ bic: UnsafeBufferPointer<UInt8>) -> Bool {
        if bics.contains(bic) { return true }
        for length in bicPrefixes.lengths where length <= bic.count {
            if bicPrefixes.contains(bic[0..<length]) { return true }
        }
        return false
    }
}
