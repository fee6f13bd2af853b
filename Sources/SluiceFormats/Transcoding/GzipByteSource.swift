import SluiceCore

/// A gzip-compressed object presented as its decompressed bytes, so the CSV decoder reads
/// a `.csv.gz` unchanged.
///
/// Offsets are offsets in the decompressed stream: checkpoints and `source_offset` count
/// decompressed bytes. A gzip stream cannot be entered in the middle, so `open(at:)` reads
/// the object from its start again and drops the decompressed bytes before `offset`: a resume
/// costs a re-read of the compressed bytes up to the checkpoint. Multi-member files (`cat
/// a.gz b.gz`) read as the concatenation of their members; zero bytes after the last member
/// (tape padding) are ignored, anything else after it is an error.
///
/// ```swift
/// let gzip = GzipByteSource(inner: file, object: try await file.describe())
/// var reader = try await gzip.open(at: 0, expectedETag: nil)
/// while let chunk = try await reader.next() { … }   // decompressed bytes
/// ```
public struct GzipByteSource: ByteSource {
    /// The compressed source.
    public let inner: any ByteSource
    /// The compressed object, as the inner source describes it.
    public let object: SourceObject
    public let limits: GzipLimits
    /// Decompressed bytes per chunk.
    public var chunkSize: Int

    /// Compressed bytes a bounded read (`open(at:end:)`) asks the inner source for first; it
    /// continues with the rest of the object only if they do not decompress far enough.
    static let boundedReadBytes: Int64 = 64 << 10

    public init(inner: any ByteSource, object: SourceObject, limits: GzipLimits = GzipLimits(), chunkSize: Int = 1 << 18) {
        self.inner = inner
        self.object = object
        self.limits = limits
        self.chunkSize = max(1, chunkSize)
    }

    public var displayName: String { inner.displayName }

    /// The inner object's URI and ETag, with the decompressed size as estimated by
    /// ``estimatedSize()``.
    public func describe() async throws -> SourceObject {
        SourceObject(uri: object.uri, etag: object.etag, size: try await estimatedSize())
    }

    /// An estimate of the decompressed size, from the ISIZE field of the last 4 bytes: the
    /// size of the last member modulo 2^32.
    ///
    /// Exact for a single-member file under 4 GiB. Past 4 GiB, whole multiples of 2^32 are
    /// added until the estimate is at least about the compressed size (deflate never expands
    /// by more than a few bytes per block); for a multi-member file it is only a lower bound.
    public func estimatedSize() async throws -> Int64 {
        guard object.size >= 18 else { return 0 }
        var reader = try await inner.open(at: object.size - 4, end: object.size, expectedETag: object.etag)
        var trailer: [UInt8] = []
        while trailer.count < 4, let chunk = try await reader.next() { trailer += chunk }
        guard trailer.count >= 4 else { return 0 }
        var estimate = Int64(trailer[0]) | Int64(trailer[1]) << 8 | Int64(trailer[2]) << 16 | Int64(trailer[3]) << 24
        let lowerBound = object.size - object.size / 100 - 1024
        while estimate < lowerBound { estimate += 1 << 32 }
        return estimate
    }

    /// Decompresses from the start of the object and returns bytes from decompressed `offset` on.
    public func open(at offset: Int64, expectedETag: String?) async throws -> any ByteReader {
        try await Reader(source: self, start: max(0, offset), end: nil, expectedETag: expectedETag)
    }

    /// Decompressed bytes `offset..<end`, asking the inner source for the first compressed
    /// bytes only (enough for format detection), then for the rest if needed.
    public func open(at offset: Int64, end: Int64, expectedETag: String?) async throws -> any ByteReader {
        try await Reader(source: self, start: max(0, offset), end: end, expectedETag: expectedETag)
    }
}
