import AsyncHTTPClient
import Logging
import NIOCore
import SluiceCore

/// Reads an S3 object front to back with a ranged GET, and resumes with a new GET from the next
/// undelivered byte when the connection drops or the body ends early.
///
/// Every resumed GET carries `If-Match` with the object's ETag and the response's ETag is
/// compared too, so a changed object fails with `.sourceChanged` instead of mixing versions.
/// Timeouts, dropped connections and 5xx answers are retried as the client's
/// ``S3RetryPolicy`` says; after `maxAttempts` consecutive failed attempts (or `maxRetryTime`)
/// the reader fails with `.sourceRead`, and an attempt that delivers bytes starts the count
/// and the clock again. An endpoint that cannot be reached (connection refused, unknown host,
/// TLS handshake failed) fails at once with `.s3`.
///
/// Chunks are at least `minimumChunkSize` bytes (except the last) and at most
/// `maximumChunkSize`: network reads are coalesced, and the reader holds no more than one
/// chunk plus one network buffer.
public struct S3ObjectReader: ByteReader {
    /// The object's address, for messages.
    public let objectName: String
    /// The offset of the next byte `next()` returns.
    public private(set) var offset: Int64
    /// The ETag every response must carry; pinned from the first response when not given.
    public private(set) var expectedETag: String?
    /// The object's size, once a response has told it.
    public private(set) var objectSize: Int64?
    /// Where the reader stops, exclusive; `nil` reads to the end of the object.
    public let end: Int64?
    /// How many GETs the reader has sent, for tests and metrics.
    public private(set) var requestCount = 0

    let client: S3Client
    let bucket: String
    let key: String
    let minimumChunkSize: Int
    let maximumChunkSize: Int
    private var logger: Logger
    private var body: S3ObjectBody.AsyncIterator?
    /// Bytes received but not yet returned, always the front of the rest of the object.
    private var pending: ByteBuffer?
    private var retries: S3RetryState
    private var finished = false

    init(
        client: S3Client,
        bucket: String,
        key: String,
        offset: Int64,
        end: Int64? = nil,
        expectedETag: String?,
        minimumChunkSize: Int = 64 * 1024,
        maximumChunkSize: Int = 256 * 1024
    ) {
        self.client = client
        self.bucket = bucket
        self.key = key
        self.objectName = S3URL(bucket: bucket, key: key).description
        self.offset = offset
        self.end = end
        self.expectedETag = expectedETag
        self.minimumChunkSize = max(1, minimumChunkSize)
        self.maximumChunkSize = max(self.minimumChunkSize, maximumChunkSize)
        var logger = client.logger
        logger[metadataKey: "object"] = "\(objectName)"
        self.logger = logger
        self.retries = S3RetryState(policy: client.configuration.retryPolicy, verbose: client.isVerbose, start: .now)
    }

    public mutating func next() async throws -> [UInt8]? {
        guard !finished else { return nil }
        var chunk: [UInt8] = []
        while chunk.count < minimumChunkSize {
            if var buffer = pending {
                let count = min(buffer.readableBytes, maximumChunkSize - chunk.count)
                if chunk.isEmpty { chunk.reserveCapacity(maximumChunkSize) }
                chunk.append(contentsOf: buffer.readableBytesView.prefix(count))
                buffer.moveReaderIndex(forwardBy: count)
                pending = buffer.readableBytes > 0 ? buffer : nil
                continue
            }
            let position = offset + Int64(chunk.count)
            if let end, position >= end {
                finished = true
                break
            }
            if let objectSize, position >= objectSize {
                finished = true
                break
            }
            if body == nil {
                guard try await connect(at: position) else {
                    finished = true
                    break
                }
            }
            let buffer: ByteBuffer?
            do {
                buffer = try await body?.next()
            } catch {
                body = nil
                try Task.checkCancellation()
                // Whatever broke a response that had started is a dropped connection: worth another GET.
                var failure = S3Failure.classify(error)
                failure.isRetryable = true
                failure.isUnreachable = false
                failure.reason = "the connection failed mid-transfer: \(failure.reason)"
                try await recordFailure(at: position, failure: failure, error: error)
                continue
            }
            guard let buffer else {
                body = nil
                if objectSize == nil {
                    // Without a known size the end of the body is the end of the object.
                    finished = true
                    break
                }
                try await recordFailure(at: position, failure: .retry("the response ended early"), error: nil)
                continue
            }
            guard buffer.readableBytes > 0 else { continue }
            if let objectSize, position + Int64(buffer.readableBytes) > objectSize {
                throw SluiceError(
                    .sourceRead,
                    "received more bytes than the object holds (\(objectSize)) at offset \(position); "
                        + "is the HTTP client decompressing the content?",
                    object: objectName
                )
            }
            if retries.failures > 0 { retries.progressed(at: .now) }
            pending = buffer
        }
        guard !chunk.isEmpty else {
            finished = true
            return nil
        }
        offset += Int64(chunk.count)
        return chunk
    }

    /// Sends a GET for the rest of the object from `position`, retrying transport failures and
    /// server errors. Returns `false` when `position` is already the end of the object.
    private mutating func connect(at position: Int64) async throws -> Bool {
        retries.starting(at: .now)
        while true {
            // `next()` stops before connecting at or past `end`, so the range is never empty.
            let range = end.map { S3ByteRange.bytes(position...($0 - 1)) } ?? .from(position)
            let request = S3Client.getRequest(bucket: bucket, key: key, range: range, ifMatch: expectedETag)
            requestCount += 1
            let response: S3ObjectResponse
            do {
                let sent = try await client.send(request)
                let status = Int(sent.status.code)
                if status == 416 {
                    return try await endOfObject(at: position, response: sent, request: request)
                }
                guard status == 200 || status == 206 else {
                    let error = await client.error(for: sent, request: request, operation: "GET")
                    let code = (error.underlying as? S3ErrorResponse)?.code
                    let failure = S3Failure.classify(status: status, code: code) ?? .fail("HTTP \(status)")
                    guard failure.isRetryable else { throw error }
                    try await recordFailure(at: position, failure: failure, error: error)
                    continue
                }
                response = S3Client.objectResponse(sent)
            } catch let error as SluiceError {
                throw error
            } catch {
                try Task.checkCancellation()
                try await recordFailure(at: position, failure: S3Failure.classify(error), error: error)
                continue
            }
            try accept(response, at: position)
            body = response.body.makeAsyncIterator()
            return true
        }
    }

    /// Checks that a response continues the same object at `position`, and learns its ETag and size.
    private mutating func accept(_ response: S3ObjectResponse, at position: Int64) throws {
        if let etag = response.etag, !etag.isEmpty {
            if let expectedETag, expectedETag != etag {
                throw SluiceError(
                    .sourceChanged,
                    "the object changed while it was read: ETag \(etag) instead of \(expectedETag) at offset \(position)",
                    object: objectName
                )
            }
            expectedETag = expectedETag ?? etag
        }
        let size: Int64?
        if response.status == 206 {
            guard let contentRange = response.contentRange, let range = contentRange.range, range.lowerBound == position
            else {
                throw SluiceError(
                    .s3,
                    "GET for bytes from \(position) returned a different range (\(response.contentRange.map { "\($0)" } ?? "none"))",
                    object: objectName
                )
            }
            size = contentRange.total ?? response.contentLength.map { position + $0 }
        } else {
            guard position == 0 else {
                throw SluiceError(.s3, "the server ignored the Range header of a GET from \(position)", object: objectName)
            }
            size = response.contentLength
        }
        if let objectSize, let size, objectSize != size {
            throw SluiceError(
                .sourceChanged,
                "the object changed while it was read: size \(size) instead of \(objectSize)",
                object: objectName
            )
        }
        objectSize = objectSize ?? size
    }

    /// A 416 answer: the range starts at or after the end of the object.
    private mutating func endOfObject(at position: Int64, response: HTTPClientResponse, request: S3Client.Request) async throws -> Bool {
        let total = response.headers.first(name: "content-range").flatMap(S3ContentRange.init)?.total
        if let total, position < total {
            throw await client.error(for: response, request: request, operation: "GET")
        }
        try? await S3Client.drain(response)
        objectSize = objectSize ?? total ?? position
        return false
    }

    /// Counts a failed attempt: gives up when it is not worth another or the policy says
    /// so, and otherwise logs the retry and waits before it.
    private mutating func recordFailure(at position: Int64, failure: S3Failure, error: (any Error)?) async throws {
        try Task.checkCancellation()
        switch retries.failed(failure, at: .now) {
        case .giveUp(let attempts, let elapsed):
            if !failure.isRetryable {
                if let error = error as? SluiceError { throw error }
                throw client.transportError(error, failure: failure, operation: "GET", objectName: objectName)
            }
            throw SluiceError(
                .sourceRead,
                "reading failed at offset \(position) after \(attempts) attempts in a row "
                    + "over \(S3Client.seconds(elapsed)): \(failure.reason)",
                object: objectName,
                underlying: error
            )
        case .retry(let delay, let attempt, let elapsed, let announcement):
            var logger = self.logger
            logger[metadataKey: "offset"] = "\(position)"
            client.logRetry(
                operation: "GET", objectName: objectName, failure: failure, attempt: attempt,
                elapsed: elapsed, delay: delay, announcement: announcement, logger: logger
            )
            try await Task.sleep(for: delay)
        }
    }

    /// Server-side trouble that a new attempt may not meet (see ``S3Failure/isRetryable(status:)``).
    static func isRetryable(status: Int) -> Bool {
        S3Failure.isRetryable(status: status)
    }
}
