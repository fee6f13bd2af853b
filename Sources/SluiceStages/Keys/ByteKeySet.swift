/// A set of short byte strings that answers `contains` for a buffer without allocating.
///
/// Keys live in one arena; a dictionary maps a 64-bit FNV-1a hash to the keys that have it,
/// and a hit is confirmed by comparing bytes, so the answer is exact.
public struct ByteKeySet: Sendable {
    private var arena: [UInt8] = []
    private var spans: [Range<Int>] = []
    private var buckets: [UInt64: [Int32]] = [:]
    /// Lengths of the keys present, so prefix lookups try only those.
    public private(set) var lengths: Set<Int> = []

    public init() {}

    public var count: Int { spans.count }

    public mutating func insert<Bytes: Collection<UInt8>>(_ key: Bytes) {
        let hash = Self.hash(key)
        if let candidates = buckets[hash], candidates.contains(where: { arena[spans[Int($0)]].elementsEqual(key) }) { return }
        let start = arena.count
        arena.append(contentsOf: key)
        spans.append(start..<arena.count)
        buckets[hash, default: []].append(Int32(spans.count - 1))
        lengths.insert(key.count)
    }

    public func contains<Bytes: Collection<UInt8>>(_ key: Bytes) -> Bool {
        guard let candidates = buckets[Self.hash(key)] else { return false }
        return candidates.contains { arena[spans[Int($0)]].elementsEqual(key) }
    }

    @inline(__always)
    static func hash<Bytes: Collection<UInt8>>(_ key: Bytes) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key {
            hash ^= UInt64(byte)
            hash &*= 0x100_0000_01b3
        }
        return hash
    }
}
