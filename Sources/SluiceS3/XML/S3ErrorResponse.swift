/// The `<Error>` document S3 returns with a failed request.
public struct S3ErrorResponse: Error, Sendable, Hashable, CustomStringConvertible {
    /// The S3 error code, e.g. `NoSuchKey`, `AccessDenied`, `SignatureDoesNotMatch`.
    public var code: String
    public var message: String?
    public var resource: String?
    public var requestID: String?

    public init(code: String, message: String? = nil, resource: String? = nil, requestID: String? = nil) {
        self.code = code
        self.message = message
        self.resource = resource
        self.requestID = requestID
    }

    /// Parses an S3 error document; `nil` when the bytes are not one (empty, HTML from a proxy, …).
    public init?(xml bytes: [UInt8]) {
        guard !bytes.isEmpty, let root = try? S3XMLNode.parse(bytes), root.name == "Error",
            let code = root.text(of: "Code"), !code.isEmpty
        else {
            return nil
        }
        self.init(
            code: code,
            message: root.text(of: "Message"),
            resource: root.text(of: "Resource"),
            requestID: root.text(of: "RequestId")
        )
    }

    public var description: String {
        guard let message, !message.isEmpty else { return code }
        return "\(code): \(message)"
    }
}
