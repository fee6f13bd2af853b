/// An object version in a watched bucket that a pipeline should load: found by a bucket
/// notification, by polling, or named by an operator. The same version (bucket, key, ETag)
/// must start one run whichever way it arrives, however often.
public struct DroppedObject: Sendable, Hashable {
    public var pipeline: String
    public var bucket: String
    public var key: String
    /// Without quotes, as runs record it.
    public var etag: String
    public var size: Int64

    public init(pipeline: String, bucket: String, key: String, etag: String, size: Int64) {
        self.pipeline = pipeline
        self.bucket = bucket
        self.key = key
        self.etag = etag
        self.size = size
    }

    /// `s3://bucket/key`, the input of the run.
    public var uri: String { "s3://\(bucket)/\(key)" }
}
