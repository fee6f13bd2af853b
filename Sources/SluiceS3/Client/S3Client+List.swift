import NIOCore
import SluiceCore

extension S3Client {
    /// Lists one page of the objects in a bucket with ListObjectsV2.
    ///
    /// ```swift
    /// var token: String?
    /// repeat {
    ///     let page = try await client.listObjectsV2(bucket: "in", prefix: "2024/", continuationToken: token)
    ///     for object in page.objects { print(object.key) }
    ///     token = page.nextContinuationToken
    /// } while token != nil
    /// ```
    ///
    /// - Parameters:
    ///   - prefix: only keys that start with it.
    ///   - continuationToken: `nextContinuationToken` of the previous page.
    ///   - maxKeys: the page size; S3 caps it at 1000.
    ///   - delimiter: rolls keys up into `commonPrefixes` at this character, e.g. `/`.
    public func listObjectsV2(
        bucket: String,
        prefix: String? = nil,
        continuationToken: String? = nil,
        maxKeys: Int? = nil,
        delimiter: String? = nil
    ) async throws -> S3ObjectList {
        var request = Request(method: .GET, bucket: bucket, key: nil)
        request.query["list-type"] = "2"
        if let prefix { request.query["prefix"] = prefix }
        if let continuationToken { request.query["continuation-token"] = continuationToken }
        if let maxKeys { request.query["max-keys"] = String(maxKeys) }
        if let delimiter { request.query["delimiter"] = delimiter }
        let response = try await perform(request, operation: "LIST")
        // A page of 1000 keys of 1 KiB each stays below 4 MiB of XML; the cap only guards against nonsense.
        let body: ByteBuffer
        do {
            body = try await response.body.collect(upTo: 32 << 20)
        } catch {
            throw SluiceError(.s3, "LIST failed while reading the response", object: request.objectName, underlying: error)
        }
        do {
            return try S3ObjectList(xml: Array(buffer: body))
        } catch {
            throw SluiceError(.s3, "LIST returned an unreadable listing", object: request.objectName, underlying: error)
        }
    }
}
