import Crypto
import NIOCore
import SluiceCore

extension S3Client {
    /// Creates a bucket; succeeds when the bucket already exists and belongs to the caller.
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
            if let document = error.underlying as? S3ErrorResponse, document.code == "BucketAlreadyOwnedByYou" {
                return
            }
            throw error
        }
    }

    /// Deletes an empty bucket.
    public func deleteBucket(_ bucket: String) async throws {
        let request = Request(method: .DELETE, bucket: bucket, key: nil)
        let response = try await perform(request, operation: "DELETE BUCKET")
        try await Self.drain(response)
    }
}
