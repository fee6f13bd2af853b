import Foundation
import SluiceCore

/// How to reach an S3-compatible server and how hard to try when reading from it.
///
/// Requests always use path-style addressing (`http://endpoint/bucket/key`), which every
/// S3-compatible server (SeaweedFS, MinIO, Ceph) and AWS itself accept.
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
    /// How many consecutive failed attempts a resumable read makes before it gives up.
    ///
    /// The count starts again whenever an attempt delivers bytes.
    public var maxAttempts: Int
    /// How long to wait for the response head of a request.
    ///
    /// While a body streams, the idle read timeout of the `HTTPClient` applies
    /// (90 seconds for `HTTPClient.shared`).
    public var readTimeout: Duration
    /// The pause before the first retry of a resumable read; the n-th retry waits n times as long.
    public var retryBackoff: Duration

    public init(
        endpoint: String,
        region: String = "us-east-1",
        accessKey: String,
        secretKey: String,
        maxAttempts: Int = 5,
        readTimeout: Duration = .seconds(60),
        retryBackoff: Duration = .milliseconds(50)
    ) {
        self.endpoint = endpoint
        self.region = region
        self.accessKey = accessKey
        self.secretKey = secretKey
        self.maxAttempts = maxAttempts
        self.readTimeout = readTimeout
        self.retryBackoff = retryBackoff
    }

    /// Reads the configuration from `SLUICE_S3_ENDPOINT`, `SLUICE_S3_REGION` (optional),
    /// `SLUICE_S3_ACCESS_KEY` and `SLUICE_S3_SECRET_KEY`.
    ///
    /// - Throws: `SluiceError` with code `.invalidArgument` naming every missing variable.
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
        return S3Configuration(
            endpoint: endpoint,
            region: value("SLUICE_S3_REGION") ?? "us-east-1",
            accessKey: accessKey,
            secretKey: secretKey
        )
    }
}

// The secret key must not reach logs or error messages through `print`, `dump` or interpolation.
extension S3Configuration: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String {
        "S3Configuration(endpoint: \(endpoint), region: \(region), accessKey: \(accessKey), secretKey: <redacted>, "
            + "maxAttempts: \(maxAttempts), readTimeout: \(readTimeout))"
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "endpoint": endpoint, "region": region, "accessKey": accessKey, "secretKey": "<redacted>",
                "maxAttempts": maxAttempts, "readTimeout": readTimeout, "retryBackoff": retryBackoff,
            ],
            displayStyle: .struct
        )
    }
}
