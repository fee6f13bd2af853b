import SluiceCore

/// Serves bytes from memory, cut into chunks at chosen positions, so tests can put chunk
/// boundaries anywhere in a file.
struct ChunkedMemorySource: ByteSource {
    let bytes: [UInt8]
    /// Positions where a chunk ends; the remainder is one more chunk.
    let cuts: [Int]

    init(_ text: String, cuts: [Int] = []) {
        self.init(bytes: Array(text.utf8), cuts: cuts)
    }

    init(bytes: [UInt8], cuts: [Int] = []) {
        self.bytes = bytes
        self.cuts = cuts
    }

    var displayName: String { "memory" }

    func describe() async throws -> SourceObject {
        SourceObject(uri: "memory:test.csv", etag: "e1", size: Int64(bytes.count))
    }

    func open(at offset: Int64, expectedETag: String?) async throws -> any ByteReader {
        let start = Int(offset)
        var chunks: [[UInt8]] = []
        var previous = start
        for cut in cuts.sorted() where cut > previous && cut < bytes.count {
            chunks.append(Array(bytes[previous..<cut]))
            previous = cut
        }
        if previous < bytes.count { chunks.append(Array(bytes[previous...])) }
        return Reader(chunks: chunks)
    }

    struct Reader: ByteReader {
        var chunks: [[UInt8]]
        mutating func next() async throws -> [UInt8]? {
            chunks.isEmpty ? nil : chunks.removeFirst()
        }
    }
}

/// One decoded row in a comparable form.
struct DecodedRow: Equatable, CustomStringConvertible {
    var fields: [String]
    var line: Int64
    var offset: Int64
    var raw: String
    var reasons: [String]

    var description: String { "line \(line) @\(offset) \(fields) \(reasons)" }
}

enum DecodeHelper {
    static func decode(_ source: ChunkedMemorySource, dialect: CSVDialectInput = .init(), batchRows: Int = 1000) async throws -> (header: [String], rows: [DecodedRow], batches: [RecordBatch]) {
        var decoder = CSVDecoder(source: source, object: try await source.describe(), dialect: dialect.dialect, batchRows: batchRows)
        let header = try await decoder.readHeader()
        var rows: [DecodedRow] = []
        var batches: [RecordBatch] = []
        while let batch = try await decoder.nextBatch() {
            batches.append(batch)
            rows += rowsOf(batch)
        }
        return (header.fields, rows, batches)
    }

    static func rowsOf(_ batch: RecordBatch) -> [DecodedRow] {
        (0..<batch.rowCount).map { row in
            DecodedRow(
                fields: (0..<batch.fieldCount(ofRow: row)).map { batch.text(row: row, field: $0) },
                line: batch.lines[row],
                offset: batch.offsets[row],
                raw: String(decoding: batch.arena[Int(batch.rawStarts[row])..<Int(batch.rawEnds[row])], as: UTF8.self),
                reasons: batch.rejections.filter { $0.row == row }.map(\.code.rawValue)
            )
        }
    }
}

import SluiceFormats

struct CSVDialectInput {
    var dialect = CSVDialect()
}
