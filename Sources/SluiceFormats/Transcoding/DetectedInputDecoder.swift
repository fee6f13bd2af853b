import SluiceCore

/// A decoder over a decompressed or transcoded stream that says so in its header
/// (`SourceHeader.detected`); batches and positions are the wrapped decoder's.
struct DetectedInputDecoder: RecordDecoder {
    var base: any RecordDecoder
    let detected: [String]
    /// The decoded stream's estimated size, where positions end.
    let decodedSize: Int64

    mutating func readSourceHeader() async throws -> SourceHeader {
        var header = try await base.readSourceHeader()
        header.detected = detected + header.detected
        header.positionEnd = decodedSize
        return header
    }

    mutating func seek(toOffset offset: Int64, line: Int64, sequence: Int) async throws {
        try await base.seek(toOffset: offset, line: line, sequence: sequence)
    }

    mutating func nextBatch() async throws -> RecordBatch? {
        try await base.nextBatch()
    }
}
