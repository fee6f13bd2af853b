import Foundation

/// The head of a GET response, with the body still to be streamed.
public struct S3ObjectResponse: Sendable {
    /// 200 for a whole object, 206 for a range.
    public var status: Int
    /// The ETag without the surrounding quotes.
    public var etag: String?
    /// The number of bytes the body will carry, when the server said.
    public var contentLength: Int64?
    /// Where the body sits in the object, for a 206 response.
    public var contentRange: S3ContentRange?
    public var lastModified: Date?
    /// The content, streamed on demand.
    public var body: S3ObjectBody

    /// The size of the whole object: the total of `Content-Range`, or the length of a 200 response.
    public var objectSize: Int64? {
        if let total = contentRange?.total { return total }
        return status == 200 ? contentLength : nil
    }
}
