/// One page of a ListObjectsV2 listing.
public struct S3ObjectList: Sendable, Hashable {
    /// The objects of this page, in key order.
    public var objects: [S3ObjectSummary]
    /// The prefixes rolled up by a delimiter, when one was given.
    public var commonPrefixes: [String]
    /// Whether more pages follow.
    public var isTruncated: Bool
    /// The token for the next page, when `isTruncated`.
    public var nextContinuationToken: String?

    public init(
        objects: [S3ObjectSummary] = [],
        commonPrefixes: [String] = [],
        isTruncated: Bool = false,
        nextContinuationToken: String? = nil
    ) {
        self.objects = objects
        self.commonPrefixes = commonPrefixes
        self.isTruncated = isTruncated
        self.nextContinuationToken = nextContinuationToken
    }
}
