/// A byte range of an object for a GET request's `Range` header.
public struct S3ByteRange: Sendable, Hashable, CustomStringConvertible {
    /// The first byte.
    public var start: Int64
    /// The last byte, inclusive; `nil` for "to the end of the object".
    public var end: Int64?

    /// From `start` to the end of the object: `bytes=start-`.
    public static func from(_ start: Int64) -> S3ByteRange {
        S3ByteRange(start: start, end: nil)
    }

    /// The bytes in `range`, both bounds inclusive: `bytes=lower-upper`.
    public static func bytes(_ range: ClosedRange<Int64>) -> S3ByteRange {
        S3ByteRange(start: range.lowerBound, end: range.upperBound)
    }

    /// The value of the `Range` header.
    public var description: String {
        if let end { "bytes=\(start)-\(end)" } else { "bytes=\(start)-" }
    }
}
