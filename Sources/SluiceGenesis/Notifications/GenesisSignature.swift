import Crypto

/// The signature of a Genesis notification: lowercase hex of a hash of `unique_id` followed by
/// the terminal's API password.
///
/// ```swift
/// let signature = GenesisSignature.sign(uniqueID: "44177a21", password: "secret", algorithm: .sha512)
/// GenesisSignature.verify(signature, uniqueID: "44177a21", password: "secret")  // true
/// ```
public enum GenesisSignature {
    /// The hashes Genesis signs with; a signature's length tells which was used.
    public enum Algorithm: Sendable, Hashable, CaseIterable {
        case sha1, sha256, sha512

        /// Hex characters in a signature made with this hash.
        public var hexLength: Int {
            switch self {
            case .sha1: 40
            case .sha256: 64
            case .sha512: 128
            }
        }

        /// The algorithm whose signatures are `length` hex characters long.
        public init?(hexLength length: Int) {
            guard let algorithm = Self.allCases.first(where: { $0.hexLength == length }) else { return nil }
            self = algorithm
        }
    }

    /// Lowercase hex of `algorithm(uniqueID + password)`.
    public static func sign(uniqueID: String, password: String, algorithm: Algorithm) -> String {
        let data = Array((uniqueID + password).utf8)
        switch algorithm {
        case .sha1: return hex(Insecure.SHA1.hash(data: data))
        case .sha256: return hex(SHA256.hash(data: data))
        case .sha512: return hex(SHA512.hash(data: data))
        }
    }

    /// Whether `signature` signs `uniqueID` with `password`. The hash is chosen by the
    /// signature's length (40, 64 or 128 hex characters; any other length is false), the
    /// comparison ignores case and takes the same time wherever the first difference is.
    public static func verify(_ signature: String, uniqueID: String, password: String) -> Bool {
        let given = Array(signature.utf8)
        guard let algorithm = Algorithm(hexLength: given.count) else { return false }
        let expected = Array(sign(uniqueID: uniqueID, password: password, algorithm: algorithm).utf8)
        var difference: UInt8 = 0
        for (lhs, rhs) in zip(given, expected) {
            // ASCII letters lowercased by setting bit 5; digits already have it set.
            let lowered = (0x41...0x5A).contains(lhs) ? lhs | 0x20 : lhs
            difference |= lowered ^ rhs
        }
        return difference == 0
    }

    private static func hex(_ digest: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var bytes: [UInt8] = []
        for byte in digest {
            bytes.append(digits[Int(byte >> 4)])
            bytes.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
