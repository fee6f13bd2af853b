import Foundation

/// What a HEAD request tells about an object.
public struct S3ObjectHead: Sendable, Hashable {
    /// Size in bytes.
    public var size: Int64
    /// The ETag without the surrounding quotes.
    public var etag: String
    public var lastModified: Date?
    public var contentType: String?

    public init(size: Int64, etag: String, lastModified: Date? = nil, contentType: String? = nil) {
        self.size = size
        self.etag = etag
        self.lastModified = lastModified
        self.contentType = contentType
    }

    /// An ETag without its quotes (and without a weak `W/` marker), as S3 sends it in both forms.
    static func unquote(_ etag: String) -> String {
        var value = Substring(etag.trimmingCharacters(in: .whitespaces))
        if value.hasPrefix("W/") { value = value.dropFirst(2) }
        if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") {
            value = value.dropFirst().dropLast()
        }
        return String(value)
    }
}
