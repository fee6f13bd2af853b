/// A seeded 64-bit fingerprint of a sequence of byte strings, for the dedup table.
///
/// The same construction as wyhash: 16 input bytes at a time are folded into the state by a
/// 64×64→128-bit multiply, so a 40-byte key costs a few multiplies instead of SipHash's
/// rounds over every byte. Each value is preceded by its length, so column boundaries count
/// (`ab|c` ≠ `a|bc`). The seed is random per process: two different keys share a fingerprint
/// with probability about 2⁻⁶⁴, and a file cannot be crafted to collide without knowing the
/// seed. A collision would reject a row as `dedup.in_file`, visibly, never load it twice.
struct KeyFingerprint {
    private static let prime0: UInt64 = 0xA076_1D64_78BD_642F
    private static let prime1: UInt64 = 0xE703_7ED1_A0B4_28DB
    private static let prime2: UInt64 = 0x8EBC_6AF0_9C88_C6E3

    /// Chosen once per process.
    static let processSeed = UInt64.random(in: .min ... .max)

    private var state: UInt64

    init(seed: UInt64 = KeyFingerprint.processSeed) {
        state = seed ^ Self.prime0
    }

    @inline(__always)
    private static func mix(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let product = a.multipliedFullWidth(by: b)
        return product.high ^ product.low
    }

    /// Adds one value, with its length.
    @inline(__always)
    mutating func combine(_ bytes: UnsafeRawBufferPointer) {
        var remaining = bytes.count
        state = Self.mix(state ^ Self.prime1, UInt64(remaining) ^ Self.prime2)
        guard remaining > 0, let base = bytes.baseAddress else { return }
        var offset = 0
        while remaining >= 16 {
            let a = base.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            let b = base.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self)
            state = Self.mix(a ^ Self.prime1, b ^ state)
            offset += 16
            remaining -= 16
        }
        if remaining > 0 {
            var a: UInt64 = 0
            var b: UInt64 = 0
            withUnsafeMutableBytes(of: &a) { $0.copyMemory(from: UnsafeRawBufferPointer(start: base + offset, count: min(remaining, 8))) }
            if remaining > 8 {
                withUnsafeMutableBytes(of: &b) { $0.copyMemory(from: UnsafeRawBufferPointer(start: base + offset + 8, count: remaining - 8)) }
            }
            state = Self.mix(a ^ Self.prime2, b ^ state ^ Self.prime0)
        }
    }

    /// The fingerprint of the values combined so far.
    func finalize() -> UInt64 {
        Self.mix(state ^ Self.prime0, state ^ Self.prime1)
    }
}
