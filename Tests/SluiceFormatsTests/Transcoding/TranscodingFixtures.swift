import CZlib
import SluiceCore
import Testing

@testable import SluiceFormats

/// Files and helpers shared by the gzip and UTF-16 tests, built in memory at test time.
enum TranscodingFixtures {
    /// A CSV with 2-, 3- and 4-byte UTF-8 characters (an emoji is a UTF-16 surrogate pair),
    /// quoted fields with embedded newlines, and CRLF line ends.
    static let csv: String = {
        var text = "id,name,city,note\r\n"
        let names = ["José Müller", "\"Doe, 😀 Jane\"", "Łukasz", "plain", "\"Zoë \"\"Z\"\"\"", "🇩🇪 Groß"]
        let cities = ["Zürich", "東京", "Kraków", "ascii", "Ångström", "𝔐ünchen"]
        let notes = ["café", "\"two\nlines 🎉\"", "€ 12", "x", "", "a😀b"]
        for row in 1...40 {
            text += "\(row),\(names[row % names.count]),\(cities[row % cities.count]),\(notes[row % notes.count])\r\n"
        }
        return text
    }()

    static var csvBytes: [UInt8] { Array(csv.utf8) }

    /// `text` as UTF-16 with a byte order mark.
    static func utf16(_ text: String, bigEndian: Bool, bom: Bool = true) -> [UInt8] {
        utf16(units: Array(text.utf16), bigEndian: bigEndian, bom: bom)
    }

    static func utf16(units: [UInt16], bigEndian: Bool, bom: Bool = true) -> [UInt8] {
        ((bom ? [0xFEFF] : []) + units).flatMap { unit -> [UInt8] in
            bigEndian ? [UInt8(unit >> 8), UInt8(unit & 0xFF)] : [UInt8(unit & 0xFF), UInt8(unit >> 8)]
        }
    }

    /// One gzip member of `bytes`, made with zlib.
    static func gzip(_ bytes: [UInt8], level: Int32 = 6) -> [UInt8] {
        var stream = z_stream()
        let status = deflateInit2_(&stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        precondition(status == Z_OK)
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(bytes.count))) + 64)
        var input = bytes
        let produced = input.withUnsafeMutableBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer in
                stream.next_in = inBuffer.baseAddress
                stream.avail_in = uInt(inBuffer.count)
                stream.next_out = outBuffer.baseAddress
                stream.avail_out = uInt(outBuffer.count)
                let result = deflate(&stream, Z_FINISH)
                precondition(result == Z_STREAM_END)
                return outBuffer.count - Int(stream.avail_out)
            }
        }
        return Array(output[..<produced])
    }

    /// A source that serves `bytes` in chunks of `chunkSize`, named like an uploaded file.
    static func source(_ bytes: [UInt8], chunkSize: Int = 4096, name: String = "debtors.csv") -> MemoryByteSource {
        MemoryByteSource(bytes: bytes, name: name, chunkSize: chunkSize)
    }

    struct Decoded {
        var header: SourceHeader
        var rows: [DecodedRow]
        var batches: [RecordBatch]
    }

    /// Reads a whole object through `RecordDecoders`, as `run` and `inspect` do.
    static func decode(_ source: any ByteSource, batchRows: Int = 1000, options: DecoderOptions = DecoderOptions()) async throws -> Decoded {
        var options = options
        options.batchRows = batchRows
        let object = try await source.describe()
        var decoder = try await RecordDecoders.open(source: source, object: object, options: options)
        let header = try await decoder.readSourceHeader()
        var batches: [RecordBatch] = []
        var rows: [DecodedRow] = []
        while let batch = try await decoder.nextBatch() {
            batches.append(batch)
            rows += DecodeHelper.rowsOf(batch)
        }
        return Decoded(header: header, rows: rows, batches: batches)
    }

    /// Reads an object as a resumed run does: a fresh decoder, the header, then a seek to a
    /// checkpoint's `nextOffset`/`nextLine`.
    static func decodeResumed(_ source: any ByteSource, after batch: RecordBatch, batchRows: Int) async throws -> [DecodedRow] {
        let object = try await source.describe()
        var decoder = try await RecordDecoders.open(source: source, object: object, options: DecoderOptions(batchRows: batchRows))
        _ = try await decoder.readSourceHeader()
        try await decoder.seek(toOffset: batch.nextOffset, line: batch.nextLine, sequence: batch.sequence + 1)
        var rows: [DecodedRow] = []
        while let next = try await decoder.nextBatch() { rows += DecodeHelper.rowsOf(next) }
        return rows
    }

    /// All bytes a reader returns.
    static func readAll(_ source: any ByteSource, at offset: Int64 = 0, end: Int64? = nil) async throws -> [UInt8] {
        var reader: any ByteReader
        if let end {
            reader = try await source.open(at: offset, end: end, expectedETag: nil)
        } else {
            reader = try await source.open(at: offset, expectedETag: nil)
        }
        var bytes: [UInt8] = []
        while let chunk = try await reader.next() {
            #expect(!chunk.isEmpty, "a reader never returns an empty chunk")
            bytes += chunk
        }
        return bytes
    }
}

/// Serves only `offset..<end` on a bounded open, as S3 does, and counts the opens.
final class RangedMemorySource: ByteSource, @unchecked Sendable {
    let bytes: [UInt8]
    let chunkSize: Int
    private(set) var opens: [(offset: Int64, end: Int64?)] = []

    init(bytes: [UInt8], chunkSize: Int = 4096) {
        self.bytes = bytes
        self.chunkSize = chunkSize
    }

    var displayName: String { "ranged" }

    func describe() async throws -> SourceObject {
        SourceObject(uri: "memory:ranged.csv.gz", etag: "r1", size: Int64(bytes.count))
    }

    func open(at offset: Int64, expectedETag: String?) async throws -> any ByteReader {
        opens.append((offset, nil))
        return try await MemoryByteSource(bytes: Array(bytes[Int(offset)...]), chunkSize: chunkSize).open(at: 0, expectedETag: nil)
    }

    func open(at offset: Int64, end: Int64, expectedETag: String?) async throws -> any ByteReader {
        opens.append((offset, end))
        let upper = min(Int(end), bytes.count)
        return try await MemoryByteSource(bytes: Array(bytes[Int(offset)..<upper]), chunkSize: chunkSize).open(at: 0, expectedETag: nil)
    }
}
