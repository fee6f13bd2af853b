import Crypto
import Foundation

/// Signs S3 requests with AWS Signature Version 4 (header-based authentication).
///
/// A pure value: the same inputs and date always give the same signature, which is what
/// lets the tests check it against the examples that AWS publishes.
///
/// ```swift
/// let signer = SigV4Signer(accessKey: "AKIA…", secretKey: "…", region: "us-east-1")
/// let headers = signer.sign(
///     method: "GET", path: "/bucket/data.csv", query: [:],
///     headers: ["host": "127.0.0.1:8333"], payloadHash: SigV4Signer.emptyPayloadHash
/// )
/// ```
public struct SigV4Signer: Sendable {
    /// The `x-amz-content-sha256` value for a body that is not hashed (streamed uploads).
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"
    /// The hex SHA-256 of an empty body, the `x-amz-content-sha256` value for GET and HEAD.
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    public var accessKey: String
    public var secretKey: String
    public var region: String
    public var service: String

    public init(accessKey: String, secretKey: String, region: String, service: String = "s3") {
        self.accessKey = accessKey
        self.secretKey = secretKey
        self.region = region
        self.service = service
    }

    /// Signs one request and returns the headers to send with it.
    ///
    /// - Parameters:
    ///   - method: the HTTP method, e.g. `GET`.
    ///   - path: the request path, not yet percent-encoded (`/bucket/my key.csv`); it is encoded
    ///     segment by segment with S3's rules, exactly as it must be sent.
    ///   - query: query parameters, not yet percent-encoded; a parameter without value maps to `""`.
    ///   - headers: the headers to sign, which must include `host`. Names are case-insensitive.
    ///   - payloadHash: the hex SHA-256 of the body, ``emptyPayloadHash`` or ``unsignedPayload``.
    ///   - date: the signing time.
    /// - Returns: `headers` plus `x-amz-date`, `x-amz-content-sha256` and `authorization`, with lower-cased names.
    public func sign(
        method: String,
        path: String,
        query: [String: String] = [:],
        headers: [String: String],
        payloadHash: String,
        date: Date = Date()
    ) -> [String: String] {
        let timestamp = Self.timestamp(date)
        var signed: [String: String] = [:]
        for (name, value) in headers {
            signed[name.lowercased()] = value
        }
        signed["x-amz-date"] = timestamp.dateTime
        signed["x-amz-content-sha256"] = payloadHash

        let canonical = canonicalRequest(method: method, path: path, query: query, headers: signed, payloadHash: payloadHash)
        let scope = "\(timestamp.date)/\(region)/\(service)/aws4_request"
        let stringToSign = [
            "AWS4-HMAC-SHA256",
            timestamp.dateTime,
            scope,
            Self.hex(SHA256.hash(data: Data(canonical.request.utf8))),
        ].joined(separator: "\n")
        let signature = Self.hex(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: signingKey(date: timestamp.date)))
        signed["authorization"] =
            "AWS4-HMAC-SHA256 Credential=\(accessKey)/\(scope), SignedHeaders=\(canonical.signedHeaders), Signature=\(signature)"
        return signed
    }

    /// The canonical request of SigV4 and the list of signed header names.
    func canonicalRequest(
        method: String,
        path: String,
        query: [String: String],
        headers: [String: String],
        payloadHash: String
    ) -> (request: String, signedHeaders: String) {
        let sortedHeaders = headers
            .map { (name: $0.key.lowercased(), value: Self.trimHeaderValue($0.value)) }
            .sorted { $0.name < $1.name }
        let canonicalHeaders = sortedHeaders.map { "\($0.name):\($0.value)\n" }.joined()
        let signedHeaders = sortedHeaders.map(\.name).joined(separator: ";")
        let request = [
            method,
            Self.uriEncode(path.isEmpty ? "/" : path, encodeSlash: false),
            Self.canonicalQueryString(query),
            canonicalHeaders,
            signedHeaders,
            payloadHash,
        ].joined(separator: "\n")
        return (request, signedHeaders)
    }

    func signingKey(date: String) -> SymmetricKey {
        func hmac(_ key: SymmetricKey, _ text: String) -> SymmetricKey {
            SymmetricKey(data: HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: key))
        }
        let secret = SymmetricKey(data: Data("AWS4\(secretKey)".utf8))
        return hmac(hmac(hmac(hmac(secret, date), region), service), "aws4_request")
    }

    /// `20130524` and `20130524T000000Z` for a date, in UTC.
    static func timestamp(_ date: Date) -> (date: String, dateTime: String) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? TimeZone(secondsFromGMT: 0) ?? calendar.timeZone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func pad(_ value: Int?, _ width: Int) -> String {
            let digits = String(value ?? 0)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        let day = pad(parts.year, 4) + pad(parts.month, 2) + pad(parts.day, 2)
        return (day, day + "T" + pad(parts.hour, 2) + pad(parts.minute, 2) + pad(parts.second, 2) + "Z")
    }

    // SigV4 wants leading and trailing spaces removed and inner runs of spaces collapsed to one.
    static func trimHeaderValue(_ value: String) -> String {
        value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var text = [UInt8]()
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}

// Like `S3Configuration`, a signer must not print its secret key.
extension SigV4Signer: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String {
        "SigV4Signer(accessKey: \(accessKey), secretKey: <redacted>, region: \(region), service: \(service))"
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror {
        Mirror(
            self,
            children: ["accessKey": accessKey, "secretKey": "<redacted>", "region": region, "service": service],
            displayStyle: .struct
        )
    }
}
