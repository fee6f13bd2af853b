import Crypto
import SluiceCore

/// The SHA-256 of an object's content, read in chunks (bounded memory).
public enum ContentDigest {
    /// Reads `source` from start to end and returns the hex SHA-256 of its bytes.
    public static func sha256(of source: any ByteSource, object: SourceObject) async throws -> String {
        var reader = try await source.open(at: 0, expectedETag: object.etag)
        var hasher = SHA256()
        while let chunk = try await reader.next() { hasher.update(data: chunk) }
        return hex(hasher.finalize())
    }

    static func hex(_ digest: SHA256.Digest) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(64)
        for byte in digest {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
