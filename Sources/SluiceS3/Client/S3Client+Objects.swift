import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import SluiceCore

extension S3Client {
    /// Size, ETag and modification time of an object, without its content.
    ///
    /// - Throws: `SluiceError` with code `.sourceNotFound` when the object does not exist,
    ///   `.s3` for other failures.
    public func headObject(bucket: String, key: String) async throws -> S3ObjectHead {
        let request = Request(method: .HEAD, bucket: bucket, key: key)
        let response = try await perform(request, operation: "HEAD")
        try await Self.drain(response)
        guard let length = response.headers.first(name: "content-length").flatMap({ Int64($0) }) else {
            throw SluiceError(.s3, "HEAD returned no Content-Length", object: request.objectName)
        }
        return S3ObjectHead(
            size: length,
            etag: S3ObjectHead.unquote(response.headers.first(name: "etag") ?? ""),
            lastModified: response.headers.first(name: "last-modified").flatMap(S3Date.parseHTTP),
            contentType: response.headers.first(name: "content-type")
        )
    }

    /// Starts a GET and returns once the response head has arrived; the body streams on demand.
    ///
    /// - Parameters:
    ///   - range: the bytes to read; the whole object when `nil`.
    ///   - ifMatch: the ETag (without quotes) the object must still have.
    /// - Throws: `SluiceError` with code `.sourceNotFound` when the object does not exist,
    ///   `.sourceChanged` when it no longer has the ETag `ifMatch`, `.s3` for other failures.
    public func getObject(
        bucket: String,
        key: String,
        range: S3ByteRange? = nil,
        ifMatch: String? = nil
    ) async throws -> S3ObjectResponse {
        let request = Self.getRequest(bucket: bucket, key: key, range: range, ifMatch: ifMatch)
        let response = try await perform(request, operation: "GET")
        return Self.objectResponse(response)
    }

    /// Uploads a file with a single streamed PUT, reading it from disk as the upload proceeds.
    ///
    /// The body is not hashed ahead of time (`UNSIGNED-PAYLOAD`), so the file is read once.
    /// A single PUT holds at most 5 GiB. The upload may take `readTimeout` plus one second
    /// per MiB before it times out.
    ///
    /// - Returns: the new object's ETag, without quotes.
    @discardableResult
    public func putObject(bucket: String, key: String, fileAt path: String, contentType: String? = nil) async throws -> String {
        let handle: FileHandle
        let size: Int64
        do {
            handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
            size = Int64(try handle.seekToEnd())
            try handle.seek(toOffset: 0)
        } catch {
            throw SluiceError(.invalidArgument, "cannot read file to upload: \(path)", underlying: error)
        }
        defer { try? handle.close() }
        var request = Request(method: .PUT, bucket: bucket, key: key)
        request.payloadHash = SigV4Signer.unsignedPayload
        if let contentType { request.headers["content-type"] = contentType }
        request.body = .stream(FileChunks(handle: handle), length: .known(size))
        request.timeout = Self.uploadTimeout(bytes: size, configuration: configuration)
        let response = try await perform(request, operation: "PUT")
        try await Self.drain(response)
        return S3ObjectHead.unquote(response.headers.first(name: "etag") ?? "")
    }

    /// Uploads bytes held in memory with a single PUT; the payload is signed by its SHA-256.
    ///
    /// - Returns: the new object's ETag, without quotes.
    @discardableResult
    public func putObject(bucket: String, key: String, bytes: [UInt8], contentType: String? = nil) async throws -> String {
        var request = Request(method: .PUT, bucket: bucket, key: key)
        request.payloadHash = SigV4Signer.hex(SHA256.hash(data: bytes))
        if let contentType { request.headers["content-type"] = contentType }
        request.body = .bytes(ByteBuffer(bytes: bytes))
        request.timeout = Self.uploadTimeout(bytes: Int64(bytes.count), configuration: configuration)
        let response = try await perform(request, operation: "PUT")
        try await Self.drain(response)
        return S3ObjectHead.unquote(response.headers.first(name: "etag") ?? "")
    }

    /// Deletes an object; deleting a key that does not exist succeeds, as in S3.
    public func deleteObject(bucket: String, key: String) async throws {
        let request = Request(method: .DELETE, bucket: bucket, key: key)
        let response = try await perform(request, operation: "DELETE")
        try await Self.drain(response)
    }

    // The deadline of a request covers sending its body, so an upload gets time for its
    // size on top of the wait for the answer: enough at 1 MiB/s.
    static func uploadTimeout(bytes: Int64, configuration: S3Configuration) -> Duration {
        configuration.readTimeout + .seconds(bytes / (1 << 20))
    }

    static func getRequest(bucket: String, key: String, range: S3ByteRange?, ifMatch: String?) -> Request {
        var request = Request(method: .GET, bucket: bucket, key: key)
        if let range { request.headers["range"] = range.description }
        if let ifMatch { request.headers["if-match"] = "\"\(S3ObjectHead.unquote(ifMatch))\"" }
        return request
    }

    static func objectResponse(_ response: HTTPClientResponse) -> S3ObjectResponse {
        S3ObjectResponse(
            status: Int(response.status.code),
            etag: response.headers.first(name: "etag").map(S3ObjectHead.unquote),
            contentLength: response.headers.first(name: "content-length").flatMap { Int64($0) },
            contentRange: response.headers.first(name: "content-range").flatMap(S3ContentRange.init),
            lastModified: response.headers.first(name: "last-modified").flatMap(S3Date.parseHTTP),
            body: S3ObjectBody(response.body)
        )
    }

    /// Reads the (small or empty) rest of a response so the connection can be reused.
    static func drain(_ response: HTTPClientResponse) async throws {
        for try await _ in response.body {}
    }
}
