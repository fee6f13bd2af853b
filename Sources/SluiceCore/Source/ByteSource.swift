/// Where the bytes of one input object come from: an S3 object or a local file.
///
/// A source is read front to back in chunks, and can be reopened at any byte offset,
/// which is how a run resumes after a crash and how a reader recovers a dropped connection.
public protocol ByteSource: Sendable {
    /// A name for messages and lineage, e.g. `s3://bucket/key` or a file path.
    var displayName: String { get }

    /// Size, version tag and key of the object, without reading its content.
    func describe() async throws -> SourceObject

    /// Opens the object for reading from `offset` to its end.
    ///
    /// - Parameters:
    ///   - offset: the first byte to return.
    ///   - expectedETag: when set, the reader fails with `SluiceError.Code.sourceChanged`
    ///     if the object no longer has this ETag.
    func open(at offset: Int64, expectedETag: String?) async throws -> any ByteReader

    /// Opens only the bytes `offset..<end`, for callers that need one part of a large object
    /// (the zip directory at its end, one entry of a workbook, the first bytes to detect a
    /// format). A network source then asks for that range and no more.
    func open(at offset: Int64, end: Int64, expectedETag: String?) async throws -> any ByteReader
}

extension ByteSource {
    /// Sources whose reads cost nothing beyond what is read (files, memory) open to the end;
    /// the caller stops reading at `end`.
    public func open(at offset: Int64, end: Int64, expectedETag: String?) async throws -> any ByteReader {
        try await open(at: offset, expectedETag: expectedETag)
    }
}

/// Pulls chunks of an object in order. A reader reads ahead at most one chunk:
/// the next network or disk read happens only when `next()` is called.
public protocol ByteReader {
    /// The next chunk, or `nil` at the end of the object. Chunks are never empty.
    mutating func next() async throws -> [UInt8]?
}

/// What a source knows about its object before reading it.
public struct SourceObject: Sendable, Hashable {
    /// Stable identity of the object: `s3://bucket/key` or an absolute file path.
    public var uri: String
    /// The object's ETag (S3), or a size-and-mtime tag for local files.
    public var etag: String
    /// Size in bytes.
    public var size: Int64

    public init(uri: String, etag: String, size: Int64) {
        self.uri = uri
        self.etag = etag
        self.size = size
    }
}
