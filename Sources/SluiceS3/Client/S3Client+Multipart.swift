import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import SluiceCore

extension S3Client {
    /// One uploaded part of a multipart upload: its number (from 1) and its ETag.
    public struct UploadedPart: Sendable, Hashable {
        public var number: Int
        public var etag: String

        public init(number: Int, etag: String) {
            self.number = number
            self.etag = etag
        }
    }

    /// Starts a multipart upload (CreateMultipartUpload) and returns its upload id.
    public func createMultipartUpload(bucket: String, key: String, contentType: String? = nil) async throws -> String {
        var request = Request(method: .POST, bucket: bucket, key: key)
        request.query["uploads"] = ""
        if let contentType { request.headers["content-type"] = contentType }
        let response = try await perform(request, operation: "CREATE MULTIPART UPLOAD")
        let root = try await Self.xmlAnswer(response, request: request, expected: "InitiateMultipartUploadResult")
        guard let uploadID = root.text(of: "UploadId"), !uploadID.isEmpty else {
            throw SluiceError(.s3, "CreateMultipartUpload answered without an UploadId", object: request.objectName)
        }
        return uploadID
    }

    /// Uploads part `number` (1 to 10,000; every part but the last at least 5 MiB), signed by
    /// its SHA-256, and returns its ETag. A failed attempt is retried with the same bytes.
    public func uploadPart(bucket: String, key: String, uploadID: String, number: Int, bytes: ByteBuffer) async throws -> UploadedPart {
        var request = Request(method: .PUT, bucket: bucket, key: key)
        request.query["partNumber"] = String(number)
        request.query["uploadId"] = uploadID
        request.payloadHash = bytes.withUnsafeReadableBytes { SigV4Signer.hex(SHA256.hash(data: $0)) }
        request.body = .bytes(bytes)
        request.timeout = Self.uploadTimeout(bytes: Int64(bytes.readableBytes), configuration: configuration)
        let response = try await perform(request, operation: "UPLOAD PART")
        try await Self.drain(response)
        return UploadedPart(number: number, etag: S3ObjectHead.unquote(response.headers.first(name: "etag") ?? ""))
    }

    /// Joins the parts into the object (CompleteMultipartUpload) and returns its ETag.
    public func completeMultipartUpload(bucket: String, key: String, uploadID: String, parts: [UploadedPart]) async throws -> String {
        var xml = "<CompleteMultipartUpload>"
        for part in parts.sorted(by: { $0.number < $1.number }) {
            xml += "<Part><PartNumber>\(part.number)</PartNumber><ETag>\"\(part.etag)\"</ETag></Part>"
        }
        xml += "</CompleteMultipartUpload>"
        var request = Request(method: .POST, bucket: bucket, key: key)
        request.query["uploadId"] = uploadID
        request.payloadHash = SigV4Signer.hex(SHA256.hash(data: Array(xml.utf8)))
        request.headers["content-type"] = "application/xml"
        request.body = .bytes(ByteBuffer(string: xml))
        let response = try await perform(request, operation: "COMPLETE MULTIPART UPLOAD")
        // S3 may answer 200 and still report an error in the body.
        let root = try await Self.xmlAnswer(response, request: request, expected: "CompleteMultipartUploadResult")
        return S3ObjectHead.unquote(root.text(of: "ETag") ?? "")
    }

    /// Abandons a multipart upload so its parts stop taking space.
    public func abortMultipartUpload(bucket: String, key: String, uploadID: String) async throws {
        var request = Request(method: .DELETE, bucket: bucket, key: key)
        request.query["uploadId"] = uploadID
        let response = try await perform(request, operation: "ABORT MULTIPART UPLOAD")
        try await Self.drain(response)
    }

    /// The root element of a small XML answer, which must be `expected` (an `<Error>` inside a
    /// 200 becomes the error it names).
    static func xmlAnswer(_ response: HTTPClientResponse, request: Request, expected: String) async throws -> S3XMLNode {
        let body: ByteBuffer
        do {
            body = try await response.body.collect(upTo: 1 << 20)
        } catch {
            throw SluiceError(.s3, "cannot read S3's answer", object: request.objectName, underlying: error)
        }
        let bytes = Array(buffer: body)
        if let failure = S3ErrorResponse(xml: bytes) {
            throw SluiceError(.s3, "S3 refused: \(failure)", object: request.objectName, underlying: failure)
        }
        let root: S3XMLNode
        do {
            root = try S3XMLNode.parse(bytes)
        } catch {
            throw SluiceError(.s3, "S3 answered with unreadable XML", object: request.objectName, underlying: error)
        }
        guard root.name == expected else {
            throw SluiceError(.s3, "expected <\(expected)> from S3, found <\(root.name)>", object: request.objectName)
        }
        return root
    }
}
