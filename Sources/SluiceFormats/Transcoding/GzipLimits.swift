/// Limits that stop a gzip bomb: decompression is streamed, so memory stays bounded anyway,
/// but a tiny file must not keep a run busy for hours on terabytes of zeros.
///
/// Delimited text compresses 3–15×; deflate cannot do better than about 1,030×, so the
/// ratio limit only trips on files built to expand. Both limits name themselves in the error.
public struct GzipLimits: Sendable, Hashable {
    /// Most decompressed bytes of one object.
    public var maxDecompressedBytes: Int64 = 64 << 30
    /// Highest decompressed:compressed ratio, checked once `ratioGraceBytes` are decompressed
    /// (a small file of repeated rows may compress far better without harm).
    public var maxCompressionRatio: Int64 = 200
    public var ratioGraceBytes: Int64 = 64 << 20

    public init(maxDecompressedBytes: Int64 = 64 << 30, maxCompressionRatio: Int64 = 200, ratioGraceBytes: Int64 = 64 << 20) {
        self.maxDecompressedBytes = maxDecompressedBytes
        self.maxCompressionRatio = maxCompressionRatio
        self.ratioGraceBytes = ratioGraceBytes
    }
}
