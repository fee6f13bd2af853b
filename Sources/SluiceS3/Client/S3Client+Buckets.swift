import Crypto
import NIOCore
import SluiceCore

extension S3Client {
    /// Creates a bucket; succeeds when the bucket already exists and the caller can use it.
    ///
    /// S3-compatible servers differ in how they answer for an existing bucket (AWS:
    /// `409 BucketAlreadyOwnedByYou`; SeaweedFS, once the bucket holds objects:
    /// `409 BucketAlreadyExists`), so on a 409 the bucket is checked with a HEAD request.
    public func createBucket(_ bucket: String) async throws {
        var request = Request(method: .PUT, bucket: bucket, key: nil)
        // us-east-1 is the default location and must not be named; other regions must be.
        if configuration.region != "us-east-1" {
            let xml = "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                + "<LocationConstraint>\(configuration.region)</LocationConstraint></CreateBucketConfiguration>"
            let bytes = Array(xml.utf8)
            request.payloadHash = SigV4Signer.hex(SHA256.hash(data: bytes))
            request.body = .bytes(ByteBuffer(bytes: bytes))
        }
        do {
            let response = try await perform(request, operation: "CREATE BUCKET")
            try await Self.drain(response)
        } catch let error as SluiceError {
            guard let document = error.underlying as? S3ErrorResponse,
                document.code == "BucketAlreadyOwnedByYou" || document.code == "BucketAlreadyExists"
            else {
                throw error
            }
            if document.code == "BucketAlreadyOwnedByYou" { return }
            guard (try? await bucketExists(bucket)) == true else { throw error }
        }
    }

    /// Whether a bucket exists and the credentials may use it (HEAD bucket).
    ///
    /// - Returns: `false` when the server answers 404.
    /// - Throws: `SluiceError` with code `.s3` for other failures, such as 403 for a bucket of someone else.
    public func bucketExists(_ bucket: String) async throws -> Bool {
        let request = Request(method: .HEAD, bucket: bucket, key: nil)
        do {
            let response = try await perform(request, operation: "HEAD BUCKET")
            try await Self.drain(response)
            return true
        } catch let error as SluiceError where error.code == .sourceNotFound {
            return false
        }
    }

    /// Deletes an empty bucket.
    public func deleteBucket(_ bucket: String) async throws {
        let request = Request(method: .DELETE, bucket: bucket, key: nil)
        let response = try await perform(request, operation: "DELETE BUCKET")
        try await Self.drain(response)
    }
}
