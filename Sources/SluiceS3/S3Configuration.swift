import Foundation
import SluiceCore

/// How to reach an S3-compatible server and how hard to try when a request fails.
///
/// Requests always use path-style addressing (`http://endpoint/bucket/key`), which every
/// S3-compatible server (SeaweedFS, MinIO, Ceph) and AWS itself accept.
///
/// Failures that another attempt cannot fix (connection refused, unknown host, TLS handshake)
/// fail at once; timeouts, dropped connections and 5xx answers are retried with a growing
/// pause, up to `maxAttempts` attempts and `maxRetryTime` (see ``S3RetryPolicy``).
///
/// ```swift
/// let configuration = S3Configuration(
///     endpoint: "http://127.0.0.1:58333",
///     accessKey: "sluice",
///     secretKey: "…"
/// )
/// ```
public struct S3Configuration: Sendable {
    /// Base URL of the server, e.g. `http://127.0.0.1:58333` or `https://s3.eu-central-1.amazonaws.com`.
    public var endpoint: String
    /// The region used in the SigV4 credential scope.
    public var region: String
    public var accessKey: String
    public var secretKey: String
    /// How long to wait for a TCP connection (and TLS handshake) to the server.
    public var connectTimeout: Duration
    /// How long to wait for the response head of a request, and for more bytes while a body streams.
    public var readTimeout: Duration
    /// How many attempts a request makes in all; for a resumable read, how many consecutive
    /// attempts without progress (the count starts again whenever an attempt delivers bytes).
    public var maxAttempts: Int
    /// How long retries of one request may go on, from its first attempt; a read's clock
    /// starts again whenever an attempt delivers bytes.
    public var maxRetryTime: Duration
    /// The pause before the first retry; each further retry waits twice as long, up to
    /// ``S3RetryPolicy/maximumBackoff``.
    public var retryBackoff: Duration

    public init(
        endpoint: String,
        region: String = "us-east-1",
        accessKey: String,
        secretKey: String,
        connectTimeout: Duration = Defaults.connectTimeout,
        readTimeout: Duration = Defaults.readTimeout,
        maxAttempts: Int = Defaults.maxAttempts,
        maxRetryTime: Duration = Defaults.maxRetryTime,
        retryBackoff: Duration = Defaults.retryBackoff
    ) {
        self.endpoint = endpoint
        self.region = region
        self.accessKey = accessKey
        self.secretKey = secretKey
        self.connectTimeout = connectTimeout
        self.readTimeout = readTimeout
        self.maxAttempts = maxAttempts
        self.maxRetryTime = maxRetryTime
        self.retryBackoff = retryBackoff
    }

    /// The defaults of the timeout and retry settings.
    public enum Defaults {
        public static let connectTimeout: Duration = .seconds(5)
        public static let readTimeout: Duration = .seconds(30)
        public static let maxAttempts = 5
        public static let maxRetryTime: Duration = .seconds(120)
        public static let retryBackoff: Duration = .milliseconds(200)
    }

    /// The retry settings as a policy.
    public var retryPolicy: S3RetryPolicy {
        S3RetryPolicy(maxAttempts: maxAttempts, maxRetryTime: maxRetryTime, backoff: retryBackoff)
    }

    /// Reads the configuration from the environment:
    ///
    /// | variable | default |
    /// |---|---|
    /// | `SLUICE_S3_ENDPOINT`, `SLUICE_S3_ACCESS_KEY`, `SLUICE_S3_SECRET_KEY` | required |
    /// | `SLUICE_S3_REGION` | `us-east-1` |
    /// | `SLUICE_S3_CONNECT_TIMEOUT` | 5 s |
    /// | `SLUICE_S3_READ_TIMEOUT` | 30 s |
    /// | `SLUICE_S3_MAX_ATTEMPTS` | 5 |
    /// | `SLUICE_S3_MAX_RETRY_TIME` | 120 s |
    /// | `SLUICE_S3_RETRY_BACKOFF` | 200 ms |
    ///
    /// Durations are seconds (`5`, `2.5`) or carry a unit: `500ms`, `5s`, `2m`.
    ///
    /// - Throws: `SluiceError` with code `.invalidArgument` naming every missing variable,
    ///   or the variable whose value cannot be read.
    public static func fromEnvironment(
        _ environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> S3Configuration {
        func value(_ name: String) -> String? {
            guard let value = environment[name]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else {
                return nil
            }
            return value
        }
        let required = ["SLUICE_S3_ENDPOINT", "SLUICE_S3_ACCESS_KEY", "SLUICE_S3_SECRET_KEY"]
        let missing = required.filter { value($0) == nil }
        guard missing.isEmpty,
            let endpoint = value("SLUICE_S3_ENDPOINT"),
            let accessKey = value("SLUICE_S3_ACCESS_KEY"),
            let secretKey = value("SLUICE_S3_SECRET_KEY")
        else {
            throw SluiceError(
                .invalidArgument,
                "S3 is not configured: set \(missing.joined(separator: ", "))"
            )
        }
        func duration(_ name: String, default fallback: Duration) throws -> Duration {
            guard let text = value(name) else { return fallback }
            guard let parsed = parseDuration(text), parsed > .zero else {
                throw SluiceError(
                    .invalidArgument,
                    "\(name) must be a positive duration in seconds (5, 2.5) or with a unit (500ms, 5s, 2m), not '\(text)'"
                )
            }
            return parsed
        }
        var attempts = Defaults.maxAttempts
        if let text = value("SLUICE_S3_MAX_ATTEMPTS") {
            guard let parsed = Int(text), parsed >= 1 else {
                throw SluiceError(.invalidArgument, "SLUICE_S3_MAX_ATTEMPTS must be a whole number of at least 1, not '\(text)'")
            }
            attempts = parsed
        }
        return S3Configuration(
            endpoint: endpoint,
            region: value("SLUICE_S3_REGION") ?? "us-east-1",
            accessKey: accessKey,
            secretKey: secretKey,
            connectTimeout: try duration("SLUICE_S3_CONNECT_TIMEOUT", default: Defaults.connectTimeout),
            readTimeout: try duration("SLUICE_S3_READ_TIMEOUT", default: Defaults.readTimeout),
            maxAttempts: attempts,
            maxRetryTime: try duration("SLUICE_S3_MAX_RETRY_TIME", default: Defaults.maxRetryTime),
            retryBackoff: try duration("SLUICE_S3_RETRY_BACKOFF", default: Defaults.retryBackoff)
        )
    }

    /// `5` and `2.5` are seconds; `500ms`, `5s`, `2m` name their unit. `nil` for anything else.
    static func parseDuration(_ text: String) -> Duration? {
        let text = text.lowercased().trimmingCharacters(in: .whitespaces)
        let units: [(suffix: String, seconds: Double)] = [("ms", 0.001), ("s", 1), ("m", 60)]
        var number = Substring(text)
        var scale = 1.0
        for unit in units where text.hasSuffix(unit.suffix) {
            number = text.dropLast(unit.suffix.count)
            scale = unit.seconds
            break
        }
        let digits = number.trimmingCharacters(in: .whitespaces)
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
            let value = Double(digits), value.isFinite
        else {
            return nil
        }
        let seconds = value * scale
        guard seconds < 1e9 else { return nil }
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }
}

// The secret key must not reach logs or error messages through `print`, `dump` or interpolation.
extension S3Configuration: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String {
        "S3Configuration(endpoint: \(endpoint), region: \(region), accessKey: \(accessKey), secretKey: <redacted>, "
            + "connectTimeout: \(connectTimeout), readTimeout: \(readTimeout), maxAttempts: \(maxAttempts), "
            + "maxRetryTime: \(maxRetryTime), retryBackoff: \(retryBackoff))"
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "endpoint": endpoint, "region": region, "accessKey": accessKey, "secretKey": "<redacted>",
                "connectTimeout": connectTimeout, "readTimeout": readTimeout, "maxAttempts": maxAttempts,
                "maxRetryTime": maxRetryTime, "retryBackoff": retryBackoff,
            ],
            displayStyle: .struct
        )
    }
}
