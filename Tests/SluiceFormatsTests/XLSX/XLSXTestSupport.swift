import Foundation
import SluiceCore

@testable import SluiceFormats

/// Paths and helpers shared by the XLSX tests.
enum XLSXFixtures {
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func path(_ name: String) -> String {
        root.appendingPathComponent("Samples/xlsx").appendingPathComponent(name).path
    }

    /// The expected rows of a fixture, from its `.expected.jsonl`.
    static func expected(_ name: String) throws -> [[String]] {
        let text = try String(contentsOfFile: path(name), encoding: .utf8)
        return try text.split(separator: "\n").map {
            try JSONDecoder().decode([String].self, from: Data($0.utf8))
        }
    }

    struct Decoded {
        var header: SourceHeader
        var rows: [DecodedRow]
        var batches: [RecordBatch]
    }

    /// Reads a whole object through `RecordDecoders`, as `inspect` and `run` do.
    static func decode(
        _ source: any ByteSource, sheet: String? = nil, batchRows: Int = 1000, limits: XLSXLimits = XLSXLimits(),
        seekTo: Int64? = nil
    ) async throws -> Decoded {
        let object = try await source.describe()
        var decoder = try await RecordDecoders.open(
            source: source, object: object, options: DecoderOptions(sheet: sheet, batchRows: batchRows, xlsxLimits: limits))
        let header = try await decoder.readSourceHeader()
        if let seekTo { try await decoder.seek(toOffset: seekTo, line: seekTo, sequence: 0) }
        var batches: [RecordBatch] = []
        var rows: [DecodedRow] = []
        while let batch = try await decoder.nextBatch() {
            batches.append(batch)
            rows += DecodeHelper.rowsOf(batch)
        }
        return Decoded(header: header, rows: rows, batches: batches)
    }

    static func file(_ name: String, chunkSize: Int = 1 << 18) -> LocalFileSource {
        LocalFileSource(path: path(name), chunkSize: chunkSize)
    }
}
