import SluiceCore

/// A UTF-16 text object (with a byte order mark) presented as UTF-8, so the CSV decoder
/// reads it unchanged.
///
/// Offsets are offsets in the UTF-8 stream: checkpoints and `source_offset` count UTF-8
/// bytes. `open(at:)` transcodes from the start of the inner source again and drops the bytes
/// before `offset`. See ``UTF16Transcoder`` for what happens to text that is not valid UTF-16.
public struct UTF16ByteSource: ByteSource {
    /// The byte order its byte order mark announced; the raw value names it in `detected`.
    public enum ByteOrder: String, Sendable, Hashable {
        case littleEndian = "UTF-16LE"
        case bigEndian = "UTF-16BE"
    }

    /// The UTF-16 source: a file, an S3 object, or a ``GzipByteSource``.
    public let inner: any ByteSource
    /// The inner object, as the inner source describes it.
    public let object: SourceObject
    public let byteOrder: ByteOrder

    public init(inner: any ByteSource, object: SourceObject, byteOrder: ByteOrder) {
        self.inner = inner
        self.object = object
        self.byteOrder = byteOrder
    }

    public var displayName: String { inner.displayName }

    /// The inner object's URI and ETag, with an estimated UTF-8 size: half the UTF-16 size,
    /// exact for ASCII text (other characters take 2 to 4 UTF-8 bytes for 2 or 4 UTF-16 bytes).
    public func describe() async throws -> SourceObject {
        SourceObject(uri: object.uri, etag: object.etag, size: max(0, object.size - 2) / 2)
    }

    public func open(at offset: Int64, expectedETag: String?) async throws -> any ByteReader {
        Reader(inner: try await inner.open(at: 0, expectedETag: expectedETag), byteOrder: byteOrder, start: max(0, offset), end: nil)
    }

    /// UTF-8 bytes `offset..<end`. Every UTF-8 byte needs at most two UTF-16 bytes, so the
    /// inner source is asked for the byte order mark, `2 × end` bytes and one more code unit.
    public func open(at offset: Int64, end: Int64, expectedETag: String?) async throws -> any ByteReader {
        let innerEnd = 2 + 2 * max(0, end) + 2
        return Reader(
            inner: try await inner.open(at: 0, end: innerEnd, expectedETag: expectedETag), byteOrder: byteOrder, start: max(0, offset), end: end)
    }

    struct Reader: ByteReader {
        private var inner: (any ByteReader)?
        private var transcoder: UTF16Transcoder
        private let start: Int64
        private let end: Int64?
        /// UTF-8 bytes produced so far.
        private var produced: Int64 = 0

        init(inner: any ByteReader, byteOrder: ByteOrder, start: Int64, end: Int64?) {
            self.inner = inner
            self.transcoder = UTF16Transcoder(bigEndian: byteOrder == .bigEndian)
            self.start = start
            self.end = end
        }

        mutating func next() async throws -> [UInt8]? {
            while var reader = inner {
                if let end, produced >= end { break }
                var output: [UInt8] = []
                if let chunk = try await reader.next() {
                    inner = reader
                    chunk.withUnsafeBufferPointer { transcoder.transcode($0, into: &output) }
                } else {
                    inner = nil
                    transcoder.finish(into: &output)
                }
                let chunkStart = produced
                produced += Int64(output.count)
                let from = Int(max(0, min(start - chunkStart, Int64(output.count))))
                let to = end.map { Int(max(0, min($0 - chunkStart, Int64(output.count)))) } ?? output.count
                guard from < to else { continue }
                return from == 0 && to == output.count ? output : Array(output[from..<to])
            }
            inner = nil
            return nil
        }
    }
}
