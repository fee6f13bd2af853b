import Logging
import NIOCore
import SluiceCore

/// Streams a body of unknown length into one S3 object, holding at most one part in memory:
/// a body that fits in one part goes up with a single PUT, a longer one as a multipart upload
/// (each part `partSize`, the last smaller). A body longer than `maxBytes` is refused with
/// `TooLarge` as soon as it passes the limit, and every part sent so far is aborted, so a
/// refused or failed upload leaves no object and no parts behind.
public struct S3StreamingUpload: Sendable {
    public let client: S3Client
    public let bucket: String
    public let key: String
    public var contentType: String?
    /// Bytes per part; S3 wants at least 5 MiB for every part but the last.
    public var partSize: Int
    public var maxBytes: Int64

    /// What was stored.
    public struct Result: Sendable, Hashable {
        public var etag: String
        public var size: Int64
        /// 0 for a single PUT.
        public var parts: Int
    }

    /// The body was longer than the limit.
    public struct TooLarge: Error, Sendable, CustomStringConvertible {
        public var maxBytes: Int64
        public var description: String { "the upload is larger than the limit of \(maxBytes) bytes" }
    }

    public static let minimumPartSize = 5 << 20

    public init(client: S3Client, bucket: String, key: String, contentType: String? = nil, partSize: Int = 8 << 20, maxBytes: Int64) {
        self.client = client
        self.bucket = bucket
        self.key = key
        self.contentType = contentType
        self.partSize = max(partSize, Self.minimumPartSize)
        self.maxBytes = maxBytes
    }

    public func upload<Body: AsyncSequence>(_ body: Body) async throws -> Result where Body.Element == ByteBuffer {
        var part = ByteBuffer()
        part.reserveCapacity(partSize)
        var size: Int64 = 0
        var uploadID: String?
        var parts: [S3Client.UploadedPart] = []
        do {
            for try await var chunk in body {
                size += Int64(chunk.readableBytes)
                guard size <= maxBytes else { throw TooLarge(maxBytes: maxBytes) }
                while chunk.readableBytes > 0 {
                    let take = min(chunk.readableBytes, partSize - part.readableBytes)
                    var slice = chunk.readSlice(length: take)!
                    part.writeBuffer(&slice)
                    if part.readableBytes == partSize {
                        // A full part: from here on it is a multipart upload.
                        let id = try await startIfNeeded(&uploadID)
                        parts.append(try await client.uploadPart(bucket: bucket, key: key, uploadID: id, number: parts.count + 1, bytes: part))
                        part.clear()
                    }
                }
            }
            guard let id = uploadID else {
                let etag = try await client.putObject(bucket: bucket, key: key, bytes: Array(buffer: part), contentType: contentType)
                return Result(etag: etag, size: size, parts: 0)
            }
            if part.readableBytes > 0 || parts.isEmpty {
                parts.append(try await client.uploadPart(bucket: bucket, key: key, uploadID: id, number: parts.count + 1, bytes: part))
            }
            let etag = try await client.completeMultipartUpload(bucket: bucket, key: key, uploadID: id, parts: parts)
            return Result(etag: etag, size: size, parts: parts.count)
        } catch {
            if let uploadID {
                try? await client.abortMultipartUpload(bucket: bucket, key: key, uploadID: uploadID)
            }
            throw error
        }
    }

    private func startIfNeeded(_ uploadID: inout String?) async throws -> String {
        if let uploadID { return uploadID }
        let id = try await client.createMultipartUpload(bucket: bucket, key: key, contentType: contentType)
        uploadID = id
        return id
    }
}
