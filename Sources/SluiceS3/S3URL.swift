import SluiceCore

/// The address of an S3 object (or of a prefix, when the key is empty or ends in `/`),
/// written as `s3://bucket/key`.
///
/// The key is taken verbatim, spaces and all: `s3://in/2024 05/debtors.csv` names the key
/// `2024 05/debtors.csv`. It is percent-encoded only when a request path is built from it.
public struct S3URL: Sendable, Hashable, CustomStringConvertible {
    public var bucket: String
    public var key: String

    public init(bucket: String, key: String) {
        self.bucket = bucket
        self.key = key
    }

    /// Parses `s3://bucket/key`.
    ///
    /// - Throws: `SluiceError` with code `.invalidArgument` when the scheme is not `s3`
    ///   or the bucket name is empty or not a valid bucket name.
    public init(parsing text: String) throws {
        let scheme = "s3://"
        guard text.utf8.count > scheme.utf8.count, text.prefix(scheme.count).lowercased() == scheme else {
            throw SluiceError(.invalidArgument, "not an S3 URL (expected s3://bucket/key): \(text)")
        }
        let rest = text.dropFirst(scheme.count)
        let bucket: Substring
        let key: Substring
        if let slash = rest.firstIndex(of: "/") {
            bucket = rest[..<slash]
            key = rest[rest.index(after: slash)...]
        } else {
            bucket = rest
            key = ""
        }
        guard Self.isValidBucketName(bucket) else {
            throw SluiceError(.invalidArgument, "invalid bucket name in S3 URL: \(text)")
        }
        self.bucket = String(bucket)
        self.key = String(key)
    }

    /// `s3://bucket/key`, the form used in messages and lineage.
    public var description: String { "s3://\(bucket)/\(key)" }

    /// The path of a path-style request for this object, percent-encoded: `/bucket/my%20key.csv`.
    public var requestPath: String {
        SigV4Signer.uriEncode("/\(bucket)/\(key)", encodeSlash: false)
    }

    // Lenient on purpose: S3-compatible servers accept more than AWS's 3–63 lower-case rule
    // (upper case, underscores), but nothing that would need encoding.
    /// Whether `name` can name a bucket here (see `isValidBucketName`).
    public static func isBucketName(_ name: String) -> Bool { isValidBucketName(Substring(name)) }

    static func isValidBucketName(_ name: Substring) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 255 else { return false }
        return name.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "_"):
                true
            default:
                false
            }
        }
    }
}
