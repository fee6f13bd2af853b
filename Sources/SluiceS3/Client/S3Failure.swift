import AsyncHTTPClient
import Foundation
import NIOCore

/// A failed S3 request as the retry logic sees it: whether another attempt may succeed, and
/// a short reason for messages (`connection refused`, `timed out`, `HTTP 503 (SlowDown)`).
///
/// Failures another attempt cannot fix are not retried: the server refused the connection,
/// the host name does not resolve, the host or network is unreachable, the TLS handshake
/// failed, or S3 answered with a client error. Timeouts, connections dropped or reset
/// mid-transfer, 5xx answers (`503 SlowDown`), 429, 408 and `RequestTimeout` are retried.
///
/// ```swift
/// let failure = S3Failure.classify(error)
/// if failure.isRetryable { … } else { throw … failure.reason … }
/// ```
public struct S3Failure: Sendable, Hashable, CustomStringConvertible {
    /// Whether another attempt may succeed.
    public var isRetryable: Bool
    /// What happened, in a few words; no credentials and no row data.
    public var reason: String
    /// Whether the request never reached the server (refused, unknown host, unreachable,
    /// TLS handshake): messages then say the endpoint cannot be reached.
    public var isUnreachable: Bool

    public init(isRetryable: Bool, reason: String, isUnreachable: Bool = false) {
        self.isRetryable = isRetryable
        self.reason = reason
        self.isUnreachable = isUnreachable
    }

    public var description: String { reason }

    static func unreachable(_ reason: String) -> S3Failure {
        S3Failure(isRetryable: false, reason: reason, isUnreachable: true)
    }

    static func retry(_ reason: String) -> S3Failure {
        S3Failure(isRetryable: true, reason: reason)
    }

    static func fail(_ reason: String) -> S3Failure {
        S3Failure(isRetryable: false, reason: reason)
    }

    // MARK: - Answers

    /// The failure for an S3 answer with status `status` and error code `code` (from the
    /// error document, when there was one); `nil` for a 2xx.
    public static func classify(status: Int, code: String? = nil) -> S3Failure? {
        guard !(200..<300).contains(status) else { return nil }
        let reason = code.map { "HTTP \(status) (\($0))" } ?? "HTTP \(status)"
        if isRetryable(status: status) || code == "SlowDown" || code == "RequestTimeout" || code == "InternalError" {
            return .retry(reason)
        }
        return .fail(reason)
    }

    /// Server-side trouble that a new attempt may not meet: 5xx (but 501 Not Implemented and
    /// 505 HTTP Version Not Supported), 429 Too Many Requests, 408 Request Timeout.
    public static func isRetryable(status: Int) -> Bool {
        (status >= 500 && status != 501 && status != 505) || status == 429 || status == 408
    }

    // MARK: - Transport errors

    /// The failure for an error AsyncHTTPClient or SwiftNIO threw instead of an answer.
    ///
    /// Errors of modules this target does not import (NIOPosix's `NIOConnectionError`, which
    /// holds one error per address tried and any DNS errors; NIOSSL's errors) are recognised
    /// by type name and read through reflection. An error nothing here knows is retried:
    /// a wasted attempt costs less than a run given up for a passing fault.
    public static func classify(_ error: any Error) -> S3Failure {
        classify(error, depth: 0)
    }

    private static let maximumDepth = 4

    private static func classify(_ error: any Error, depth: Int) -> S3Failure {
        if error is CancellationError { return .fail("cancelled") }
        if let error = error as? HTTPClientError { return classify(error) }
        if let error = error as? IOError { return classify(errno: error.errnoCode) }
        if let error = error as? ChannelError { return classify(error) }
        if let error = error as? SocketAddressError.UnknownHost {
            return .unreachable("host not found: \(error.host) (DNS lookup failed)")
        }
        if let error = error as? SocketAddressError {
            return .unreachable("cannot use the endpoint's address (\(error))")
        }
        if error is NIOTooManyBytesError { return .fail("the answer is too large") }
        let typeName = String(reflecting: type(of: error))
        if typeName.hasSuffix("NIOConnectionError") {
            return classifyConnectionError(error, depth: depth)
        }
        if typeName.hasPrefix("NIOSSL.") || typeName.contains("BoringSSL") {
            let text = String(describing: error)
            // A TLS connection that ends without close_notify mid-transfer is a dropped connection.
            if text.contains("uncleanShutdown") { return .retry("the connection was closed mid-transfer") }
            return .unreachable("TLS handshake failed (\(text))")
        }
        if depth < maximumDepth {
            let nested = nestedErrors(of: error)
            if !nested.isEmpty { return combine(nested.map { classify($0, depth: depth + 1) }) }
        }
        return .retry("unexpected error \(typeName)")
    }

    private static func classify(_ error: HTTPClientError) -> S3Failure {
        switch error {
        case .connectTimeout: .retry("connect timed out")
        case .readTimeout: .retry("read timed out")
        case .writeTimeout: .retry("write timed out")
        case .deadlineExceeded: .retry("timed out waiting for the answer")
        case .getConnectionFromPoolTimeout: .retry("timed out waiting for a connection")
        case .tlsHandshakeTimeout: .retry("TLS handshake timed out")
        case .remoteConnectionClosed: .retry("the server closed the connection")
        case .uncleanShutdown: .retry("the connection was closed mid-transfer")
        case .cancelled: .fail("cancelled")
        case .invalidURL, .emptyHost, .emptyScheme, .missingSocketPath:
            .unreachable("invalid endpoint URL (\(error))")
        default: .fail("\(error)")
        }
    }

    private static func classify(_ error: ChannelError) -> S3Failure {
        switch error {
        case .connectTimeout: .retry("connect timed out")
        case .ioOnClosedChannel, .alreadyClosed, .outputClosed, .inputClosed, .eof:
            .retry("the connection was closed mid-transfer")
        case .writeHostUnreachable: .unreachable("host unreachable")
        default: .retry("\(error)")
        }
    }

    /// The failure for a socket error number from `connect`, `read` or `write`.
    public static func classify(errno code: Int32) -> S3Failure {
        switch code {
        case ECONNREFUSED: .unreachable("connection refused")
        case EHOSTUNREACH: .unreachable("host unreachable")
        case ENETUNREACH: .unreachable("network unreachable")
        case EHOSTDOWN: .unreachable("host is down")
        case ECONNRESET: .retry("connection reset by the server")
        case EPIPE: .retry("the connection was closed mid-transfer (broken pipe)")
        case ECONNABORTED: .retry("connection aborted")
        case ETIMEDOUT: .retry("timed out")
        default: .retry(String(cString: strerror(code)).lowercased())
        }
    }

    /// NIOPosix's `NIOConnectionError`: the DNS errors, then one error per address tried.
    private static func classifyConnectionError(_ error: any Error, depth: Int) -> S3Failure {
        let children = Mirror(reflecting: error).children
        var attempts: [any Error] = []
        var dnsError: (any Error)?
        var host: String?
        for child in children {
            switch child.label {
            case "host": host = child.value as? String
            case "dnsAError", "dnsAAAAError":
                if dnsError == nil, let value = unwrap(child.value), let error = value as? any Error { dnsError = error }
            case "connectionErrors":
                for failure in Mirror(reflecting: child.value).children {
                    if let nested = Mirror(reflecting: failure.value).children.first(where: { $0.label == "error" })?.value as? any Error {
                        attempts.append(nested)
                    }
                }
            default: break
            }
        }
        if !attempts.isEmpty { return combine(attempts.map { classify($0, depth: depth + 1) }) }
        if dnsError != nil { return .unreachable("host not found: \(host ?? "?") (DNS lookup failed)") }
        return .unreachable("no address to connect to\(host.map { " for \($0)" } ?? "")")
    }

    /// One failure for several (one per address tried, or nested causes): it is retried when
    /// any of them is, so a refused IPv6 address next to a timed-out IPv4 one is still retried.
    private static func combine(_ failures: [S3Failure]) -> S3Failure {
        if let retryable = failures.first(where: \.isRetryable) { return retryable }
        return failures.first(where: \.isUnreachable) ?? failures[0]
    }

    /// Errors held in the stored properties of an error we do not know the type of.
    private static func nestedErrors(of error: any Error) -> [any Error] {
        var result: [any Error] = []
        for child in Mirror(reflecting: error).children {
            if let value = unwrap(child.value), let nested = value as? any Error { result.append(nested) }
        }
        return result
    }

    /// The wrapped value of an optional seen through `Any`, or the value itself.
    private static func unwrap(_ value: Any) -> Any? {
        let mirror = Mirror(reflecting: value)
        guard mirror.displayStyle == .optional else { return value }
        return mirror.children.first?.value
    }
}
