import SluiceCore

/// An S3 object as a ``ByteSource``: described with HEAD, read with ranged GETs that resume
/// after a dropped connection.
///
/// ```swift
/// let source = S3ObjectSource(bucket: "in", key: "debtors.csv", client: client)
/// let object = try await source.describe()
/// var reader = try await source.open(at: 0, expectedETag: object.etag)
/// while let chunk = try await reader.next() { … }
/// ```
public struct S3ObjectSource: ByteSource {
    public let bucket: String
    public let key: String
    public let client: S3Client

    public init(bucket: String, key: String, client: S3Client) {
        self.bucket = bucket
        self.key = key
        self.client = client
    }

    public init(url: S3URL, client: S3Client) {
        self.init(bucket: url.bucket, key: url.key, client: client)
    }

    /// `s3://bucket/key`.
    public var displayName: String { S3URL(bucket: bucket, key: key).description }

    /// Size and ETag of the object, from a HEAD request.
    public func describe() async throws -> SourceObject {
        let head = try await client.headObject(bucket: bucket, key: key)
        return SourceObject(uri: displayName, etag: head.etag, size: head.size)
    }

    /// Opens the object at `offset`. No request is sent until the reader's first `next()`.
    ///
    /// When `expectedETag` is `nil`, the reader pins the ETag of its first response, so a
    /// resumed read never mixes two versions of the object.
    public func open(at offset: Int64, expectedETag: String?) async throws -> any ByteReader {
        try reader(at: offset, expectedETag: expectedETag)
    }

    /// Opens `offset..<end` with GETs for that range only.
    public func open(at offset: Int64, end: Int64, expectedETag: String?) async throws -> any ByteReader {
        try reader(at: offset, end: end, expectedETag: expectedETag)
    }

    /// Like ``open(at:expectedETag:)``, with the concrete reader type; `end` bounds the range.
    public func reader(at offset: Int64, end: Int64? = nil, expectedETag: String? = nil) throws -> S3ObjectReader {
        guard offset >= 0 else {
            throw SluiceError(.invalidArgument, "cannot read from negative offset \(offset)", object: displayName)
        }
        return S3ObjectReader(
            client: client,
            bucket: bucket,
            key: key,
            offset: offset,
            end: end,
            expectedETag: expectedETag.map(S3ObjectHead.unquote)
        )
    }
}
