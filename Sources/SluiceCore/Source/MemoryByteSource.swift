/// Bytes held in memory, served in fixed-size chunks: for tests, benchmarks and stdin.
public struct MemoryByteSource: ByteSource {
    public let bytes: [UInt8]
    public let name: String
    public var chunkSize: Int

    public init(bytes: [UInt8], name: String = "memory", chunkSize: Int = 1 << 18) {
        self.bytes = bytes
        self.name = name
        self.chunkSize = max(1, chunkSize)
    }

    public var displayName: String { name }

    public func describe() async throws -> SourceObject {
        SourceObject(uri: "memory:\(name)", etag: "\(bytes.count)", size: Int64(bytes.count))
    }

    public func open(at offset: Int64, expectedETag: String?) async throws -> any ByteReader {
        Reader(bytes: bytes, position: Int(min(max(offset, 0), Int64(bytes.count))), chunkSize: chunkSize)
    }

    struct Reader: ByteReader {
        let bytes: [UInt8]
        var position: Int
        let chunkSize: Int

        mutating func next() async throws -> [UInt8]? {
            guard position < bytes.count else { return nil }
            let end = min(position + chunkSize, bytes.count)
            defer { position = end }
            return Array(bytes[position..<end])
        }
    }
}
