import Crypto

/// The SHA-256 of a normalised IBAN: how IBANs are blacklisted and matched without being
/// stored in clear. A fixed-size value, so sets of them cost 32 bytes per entry.
public struct IBANDigest: Hashable, Sendable, CustomStringConvertible {
    public var a: UInt64, b: UInt64, c: UInt64, d: UInt64

    /// The digest of IBAN bytes that are already normalised: upper-case, no spaces.
    public init(normalized bytes: UnsafeBufferPointer<UInt8>) {
        var hasher = SHA256()
        hasher.update(bufferPointer: UnsafeRawBufferPointer(bytes))
        let digest = hasher.finalize()
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &words) { target in
            digest.withUnsafeBytes { target.copyMemory(from: $0) }
        }
        (a, b, c, d) = words
    }

    /// From the 32 bytes of a digest, as stored in `sluice.billing_attempts.iban_hash`.
    public init(raw bytes: UnsafeBufferPointer<UInt8>) {
        precondition(bytes.count == 32, "a SHA-256 digest has 32 bytes")
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &words) { $0.copyMemory(from: UnsafeRawBufferPointer(bytes)) }
        (a, b, c, d) = words
    }

    /// The digest of an IBAN as a person writes it: spaces dropped, letters upper-cased.
    public init(iban: String) {
        let normalized = Array(ScreeningKeys.compactUpper(iban).utf8)
        self = normalized.withUnsafeBufferPointer { IBANDigest(normalized: $0) }
    }

    /// From 64 hex digits, as stored in `sluice.blacklist.value_key`.
    public init?(hex: some StringProtocol) {
        guard hex.utf8.count == 64 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        var high: UInt8?
        for char in hex.utf8 {
            let nibble: UInt8
            switch char {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = char - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = char - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = char - UInt8(ascii: "A") + 10
            default: return nil
            }
            if let value = high {
                bytes.append(value << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &words) { target in bytes.withUnsafeBytes { target.copyMemory(from: $0) } }
        (a, b, c, d) = words
    }

    /// The 32 digest bytes, in order.
    public var bytes: [UInt8] {
        var words = (a, b, c, d)
        return withUnsafeBytes(of: &words) { Array($0) }
    }

    /// Lower-case hex, as stored in the blacklist.
    public var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    public var description: String { "sha256:" + hex }

    /// The first 8 bytes of a SHA-256 are already uniformly spread: hashing the other 24
    /// would only cost time. Equality still compares all 32.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(a)
    }
}
