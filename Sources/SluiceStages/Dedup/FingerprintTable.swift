/// The first line of every dedup key seen in a file, in 12 bytes per slot.
///
/// A key is reduced to a 64-bit fingerprint (never stored as a string), kept in an
/// open-addressing table with linear probing beside the line where it first appeared. The
/// table doubles when it is 3/4 full, so it holds n keys in at most 12 × 2n bytes: 24 MB for
/// 1M distinct keys, 192 MB for 10M (2^24 slots). Two different keys share a fingerprint with
/// probability about n²/2^65 per file (3·10⁻⁶ for 10M rows).
struct FingerprintTable {
    /// 0 marks an empty slot; a fingerprint of 0 is stored as 1.
    private var fingerprints: [UInt64]
    /// First line of each key; lines past `UInt32.max` are stored as `UInt32.max`.
    private var lines: [UInt32]
    private var mask: Int
    private(set) var count = 0

    init(capacity: Int = 1 << 16) {
        var size = 1 << 10
        while size < capacity { size <<= 1 }
        fingerprints = [UInt64](repeating: 0, count: size)
        lines = [UInt32](repeating: 0, count: size)
        mask = size - 1
    }

    var slotCount: Int { fingerprints.count }
    var bytesUsed: Int { fingerprints.count * 12 }

    /// Records `fingerprint` at `line` if it is new; returns the first line when it was seen before.
    mutating func insert(_ fingerprint: UInt64, line: Int64) -> Int64? {
        let key = fingerprint == 0 ? 1 : fingerprint
        var slot = Int(truncatingIfNeeded: key.multipliedFullWidth(by: 0x9E37_79B9_7F4A_7C15).high) & mask
        while true {
            let stored = fingerprints[slot]
            if stored == 0 { break }
            if stored == key { return Int64(lines[slot]) }
            slot = (slot + 1) & mask
        }
        fingerprints[slot] = key
        lines[slot] = UInt32(clamping: line)
        count += 1
        if count * 4 > fingerprints.count * 3 { grow() }
        return nil
    }

    private mutating func grow() {
        let oldFingerprints = fingerprints
        let oldLines = lines
        let size = fingerprints.count * 2
        fingerprints = [UInt64](repeating: 0, count: size)
        lines = [UInt32](repeating: 0, count: size)
        mask = size - 1
        count = 0
        for (index, fingerprint) in oldFingerprints.enumerated() where fingerprint != 0 {
            _ = insert(fingerprint, line: Int64(oldLines[index]))
        }
    }
}
