import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import SluiceCore
import Synchronization

/// A small S3 client over AsyncHTTPClient: object HEAD/GET/PUT, ListObjectsV2 and bucket creation,
/// signed with SigV4 and addressed path-style.
///
/// Response bodies are streamed with back-pressure; only error documents and listings,
/// which are small, are collected in memory.
///
/// ```swift
/// let client = try S3Client(configuration: .fromEnvironment())
/// let head = try await client.headObject(bucket: "in", key: "debtors.csv")
/// ```
public struct S3Client: Sendable {
    public let configuration: S3Configuration
    public let logger: Logger
    let httpClient: HTTPClient
    let signer: SigV4Signer
    let endpoint: Endpoint

    /// Creates a client.
    ///
    /// - Parameters:
    ///   - configuration: the server, credentials, timeouts and retries.
    ///   - httpClient: the HTTP client to send requests with; the caller keeps ownership
    ///     and shuts it down. By default a client shared by every `S3Client` with the same
    ///     timeouts, which lives as long as the process (like `HTTPClient.shared`) and fails
    ///     a connection attempt at once instead of trying again until the request's deadline
    ///     (``sharedHTTPClient(for:)``).
    ///   - logger: where request and retry messages go.
    /// - Throws: `SluiceError` with code `.invalidArgument` when the endpoint is not an http(s) URL.
    public init(
        configuration: S3Configuration,
        httpClient: HTTPClient? = nil,
        logger: Logger = Logger(label: "sluice.s3")
    ) throws {
        self.endpoint = try Endpoint(configuration.endpoint)
        self.configuration = configuration
        self.httpClient = httpClient ?? Self.sharedHTTPClient(for: configuration)
        self.logger = logger
        self.signer = SigV4Signer(
            accessKey: configuration.accessKey,
            secretKey: configuration.secretKey,
            region: configuration.region
        )
    }

    /// The process-wide HTTP client for the timeouts of `configuration`.
    ///
    /// AsyncHTTPClient's default pool retries a failed connection attempt until the request's
    /// deadline, so a refused connection would only fail after `readTimeout`. This client
    /// does not: the request fails with the connection error, and ``S3Failure`` decides
    /// whether it is worth another attempt. It does not decompress bodies (a ranged read of a
    /// gzip-encoded object must see the stored bytes) and its idle read timeout is `readTimeout`.
    public static func sharedHTTPClient(for configuration: S3Configuration) -> HTTPClient {
        let key = SharedClientKey(connectTimeout: configuration.connectTimeout, readTimeout: configuration.readTimeout)
        return sharedClients.withLock { clients in
            if let client = clients[key] { return client }
            var settings = HTTPClient.Configuration.singletonConfiguration
            settings.timeout = HTTPClient.Configuration.Timeout(
                connect: timeAmount(configuration.connectTimeout),
                read: timeAmount(configuration.readTimeout)
            )
            settings.connectionPool.retryConnectionEstablishment = false
            settings.decompression = .disabled
            // Never shut down, like `HTTPClient.shared`: it lives in this table until the process ends.
            let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: settings)
            clients[key] = client
            return client
        }
    }

    private struct SharedClientKey: Hashable {
        var connectTimeout: Duration
        var readTimeout: Duration
    }

    private static let sharedClients = Mutex<[SharedClientKey: HTTPClient]>([:])

    /// The parts of the endpoint URL a request is built from.
    struct Endpoint: Sendable {
        /// `http://127.0.0.1:8333`, without a trailing path.
        var origin: String
        /// The value of the `Host` header, which SigV4 signs: `127.0.0.1:8333`.
        var host: String
        /// A path prefix of the endpoint, decoded and without a trailing slash; usually empty.
        var basePath: String

        init(_ text: String) throws {
            guard let components = URLComponents(string: text),
                let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
                let rawHost = components.host, !rawHost.isEmpty
            else {
                throw SluiceError(.invalidArgument, "invalid S3 endpoint (expected http(s)://host[:port]): \(text)")
            }
            // IPv6 literals keep their brackets in both the URL and the Host header.
            let host = rawHost.contains(":") && !rawHost.hasPrefix("[") ? "[\(rawHost)]" : rawHost
            let authority = components.port.map { "\(host):\($0)" } ?? host
            self.origin = "\(scheme)://\(authority)"
            self.host = authority
            var path = components.path
            while path.hasSuffix("/") { path.removeLast() }
            self.basePath = path
        }
    }

    /// One request before signing.
    struct Request: Sendable {
        var method: HTTPMethod
        var bucket: String
        /// `nil` for a request on the bucket itself.
        var key: String?
        var query: [String: String] = [:]
        /// Headers to sign and send, lower-case names.
        var headers: [String: String] = [:]
        var payloadHash: String = SigV4Signer.emptyPayloadHash
        var body: HTTPClientRequest.Body?
        /// How long to wait for the response head; `readTimeout` when `nil`.
        var timeout: Duration?

        /// `s3://bucket/key` or `s3://bucket`, for messages.
        var objectName: String {
            key.map { "s3://\(bucket)/\($0)" } ?? "s3://\(bucket)"
        }
    }

    /// Signs and sends a request. Transport errors are thrown as they come, so that callers
    /// can tell them from S3's answers; the status is not checked.
    func send(_ request: Request) async throws -> HTTPClientResponse {
        guard S3URL.isValidBucketName(Substring(request.bucket)) else {
            throw SluiceError(.invalidArgument, "invalid bucket name: \(request.bucket)", object: request.objectName)
        }
        // The bucket-level path keeps its trailing slash off: `PUT /bucket` creates a bucket.
        let rawPath = endpoint.basePath + (request.key.map { "/\(request.bucket)/\($0)" } ?? "/\(request.bucket)")
        let path = SigV4Signer.uriEncode(rawPath, encodeSlash: false)
        var headers = request.headers
        headers["host"] = endpoint.host
        let signed = signer.sign(
            method: request.method.rawValue,
            path: rawPath,
            query: request.query,
            headers: headers,
            payloadHash: request.payloadHash
        )
        var url = endpoint.origin + path
        if !request.query.isEmpty {
            url += "?" + SigV4Signer.canonicalQueryString(request.query)
        }
        var httpRequest = HTTPClientRequest(url: url)
        httpRequest.method = request.method
        httpRequest.headers = HTTPHeaders(signed.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        httpRequest.body = request.body
        logger.trace(
            "S3 request",
            metadata: ["method": "\(request.method.rawValue)", "object": "\(request.objectName)"]
        )
        return try await httpClient.execute(
            httpRequest,
            deadline: .now() + Self.timeAmount(request.timeout ?? configuration.readTimeout),
            logger: logger
        )
    }

    /// Sends a request and turns transport failures and error statuses into `SluiceError`s.
    ///
    /// Failures worth another attempt (``S3Failure``) are retried as the configuration's
    /// ``S3RetryPolicy`` says; an endpoint that cannot be reached fails at once with
    /// "cannot reach S3 at ENDPOINT: REASON".
    func perform(_ request: Request, operation: String) async throws -> HTTPClientResponse {
        var retries = S3RetryState(policy: configuration.retryPolicy, verbose: isVerbose, start: .now)
        while true {
            let failure: S3Failure
            let error: SluiceError
            do {
                let response = try await send(request)
                if (200..<300).contains(response.status.code) { return response }
                let answer = await self.error(for: response, request: request, operation: operation)
                failure = S3Failure.classify(status: Int(response.status.code), code: (answer.underlying as? S3ErrorResponse)?.code)
                    ?? .fail("HTTP \(response.status.code)")
                error = answer
            } catch let thrown as SluiceError {
                throw thrown
            } catch let thrown {
                try Task.checkCancellation()
                failure = S3Failure.classify(thrown)
                error = transportError(thrown, failure: failure, operation: operation, objectName: request.objectName)
            }
            switch retries.failed(failure, at: .now) {
            case .giveUp(let attempts, let elapsed):
                guard attempts > 1 else { throw error }
                var final = error
                final.reason += " (gave up after \(attempts) attempts in \(Self.seconds(elapsed)))"
                throw final
            case .retry(let delay, let attempt, let elapsed, let announcement):
                logRetry(operation: operation, objectName: request.objectName, failure: failure,
                         attempt: attempt, elapsed: elapsed, delay: delay, announcement: announcement)
                try await Task.sleep(for: delay)
            }
        }
    }

    /// The error for a request that got no answer: "cannot reach S3 at …" when it never got
    /// to the server, else what happened on the way.
    func transportError(_ error: (any Error)?, failure: S3Failure, operation: String, objectName: String) -> SluiceError {
        let reason = failure.isUnreachable
            ? "\(operation) failed: cannot reach S3 at \(endpoint.origin): \(failure.reason)"
            : "\(operation) failed: S3 at \(endpoint.origin): \(failure.reason)"
        return SluiceError(.s3, reason, object: objectName, underlying: error)
    }

    /// Whether the logger shows debug messages (`-v`): every retry is then a warning.
    var isVerbose: Bool { logger.logLevel <= .debug }

    /// Logs a retry: at warning level when `announcement` says so, else at debug level.
    func logRetry(
        operation: String,
        objectName: String,
        failure: S3Failure,
        attempt: Int,
        elapsed: Duration,
        delay: Duration,
        announcement: S3RetryState.Announcement,
        logger: Logger? = nil
    ) {
        let logger = logger ?? self.logger
        let metadata: Logger.Metadata = [
            "object": "\(objectName)", "attempt": "\(attempt)", "elapsed": "\(Self.seconds(elapsed))",
            "delay": "\(Self.seconds(delay))",
        ]
        switch announcement {
        case .quiet:
            logger.debug("retrying S3 \(operation) \(objectName): \(failure.reason)", metadata: metadata)
        case .eachRetry:
            logger.warning("retrying S3 \(operation) \(objectName): \(failure.reason) (attempt \(attempt) in \(Self.seconds(delay)))", metadata: metadata)
        case .stillRetrying:
            logger.warning("still retrying S3 \(operation) \(objectName): \(failure.reason) (attempt \(attempt), \(Self.seconds(elapsed)))", metadata: metadata)
        }
    }

    /// `4.2 s`, for messages.
    static func seconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        return String(format: "%.1f s", Double(seconds) + Double(attoseconds) / 1e18)
    }

    /// The error for a response with a failure status, with the S3 error code from its body.
    func error(for response: HTTPClientResponse, request: Request, operation: String) async -> SluiceError {
        let document: S3ErrorResponse?
        if request.method == .HEAD {
            document = nil
        } else if let bytes = try? await response.body.collect(upTo: 64 * 1024) {
            document = S3ErrorResponse(xml: Array(buffer: bytes))
        } else {
            document = nil
        }
        return Self.error(
            status: Int(response.status.code),
            document: document,
            operation: operation,
            objectName: request.objectName,
            isRead: request.method == .GET || request.method == .HEAD
        )
    }

    /// Maps an S3 failure to a `SluiceError`: 404 on a read is `.sourceNotFound`, 412 is
    /// `.sourceChanged`, everything else `.s3`. The message names the S3 error code, never a credential.
    static func error(
        status: Int,
        document: S3ErrorResponse?,
        operation: String,
        objectName: String,
        isRead: Bool
    ) -> SluiceError {
        let detail = document.map { " (\($0))" } ?? ""
        let code: SluiceError.Code
        let reason: String
        switch status {
        case 404 where isRead:
            code = .sourceNotFound
            let what = document?.code == "NoSuchBucket" ? "bucket does not exist" : "object does not exist"
            reason = "\(operation) failed: \(what)\(detail)"
        case 412:
            code = .sourceChanged
            reason = "\(operation) failed: the object changed since it was first read (its ETag no longer matches)\(detail)"
        case 401, 403:
            code = .s3
            reason = "\(operation) failed: access denied, HTTP \(status)\(detail); check the access key and secret key"
        default:
            code = .s3
            reason = "\(operation) failed with HTTP \(status)\(detail)"
        }
        return SluiceError(code, reason, object: objectName, underlying: document)
    }

    static func timeAmount(_ duration: Duration) -> TimeAmount {
        let (seconds, attoseconds) = duration.components
        let nanoseconds = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !nanoseconds.overflow else { return .nanoseconds(Int64.max) }
        return .nanoseconds(nanoseconds.partialValue + attoseconds / 1_000_000_000)
    }
}
