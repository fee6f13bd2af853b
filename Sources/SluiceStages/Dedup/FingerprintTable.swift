/// The first line of every dedup key seen in a file, in 12 bytes per slot.
///
/// A key is reduced to a 64-bit fingerprint (never stored as a string), kept in an
/// open-addressing table with linear probing beside the line where it first appeared: one
/// array of three 32-bit words per slot (fingerprint low, high, line), so a lookup touches one
/// cache line, not one in a fingerprint array and another in a line array. The table doubles
/// when it is 3/4 full, so it holds n keys in at most 12 × 2n bytes: 24 MB for 1M distinct
/// keys, 192 MB for 10M (2^24 slots). Two different keys share a fingerprint with probability
/// about n²/2^65 per file (3·10⁻⁶ for 10M rows).
struct FingerprintTable {
    /// Three words per slot; a fingerprint of 0 marks an empty slot (a real 0 is stored as 1).
    private var words: [UInt32]
    private var mask: Int
    private(set) var count = 0

    init(capacity: Int = 1 << 16) {
        var size = 1 << 10
        while size < capacity { size <<= 1 }
        words = [UInt32](repeating: 0, count: size * 3)
        mask = size - 1
    }

    var slotCount: Int { mask + 1 }
    var bytesUsed: Int { words.count * 4 }

    /// Records `fingerprint` at `line` if it is new; returns the first line when it was seen before.
    mutating func insert(_ fingerprint: UInt64, line: Int64) -> Int64? {
        let key = fingerprint == 0 ? 1 : fingerprint
        let low = UInt32(truncatingIfNeeded: key)
        let high = UInt32(truncatingIfNeeded: key >> 32)
        let mask = self.mask
        let found: Int64? = words.withUnsafeMutableBufferPointer { words in
            var slot = Int(truncatingIfNeeded: key.multipliedFullWidth(by: 0x9E37_79B9_7F4A_7C15).high) & mask
            while true {
                let base = slot * 3
                let storedLow = words[base]
                let storedHigh = words[base + 1]
                if storedLow == 0 && storedHigh == 0 {
                    words[base] = low
                    words[base + 1] = high
                    words[base + 2] = UInt32(clamping: line)
                    return nil
                }
                if storedLow == low && storedHigh == high { return Int64(words[base + 2]) }
                slot = (slot + 1) & mask
            }
        }
        if found != nil { return found }
        count += 1
        if count * 4 > slotCount * 3 { grow() }
        return nil
    }

    private mutating func grow() {
        let old = words
        let size = slotCount * 2
        words = [UInt32](repeating: 0, count: size * 3)
        mask = size - 1
        count = 0
        for slot in 0..<(old.count / 3) where old[slot * 3] != 0 || old[slot * 3 + 1] != 0 {
            let fingerprint = UInt64(old[slot * 3 + 1]) << 32 | UInt64(old[slot * 3])
            _ = insert(fingerprint, line: Int64(old[slot * 3 + 2]))
        }
    }
}
