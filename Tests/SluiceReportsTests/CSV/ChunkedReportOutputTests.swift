import SluiceReports
import Testing

/// A CSV report streamed in chunks holds one chunk, and the chunks add up to the report.
struct ChunkedReportOutputTests {
    @Test func chunksAreHandedOutWhenFullAndTheRestAfterClose() throws {
        let output = ChunkedReportOutput(chunkSize: 10)
        var taken: [[UInt8]] = []
        for piece in ["abcd", "efgh", "ijkl", "mn"] {
            try output.write(Array(piece.utf8))
            if let chunk = output.takeChunk() { taken.append(chunk) }
        }
        #expect(taken.map(\.count) == [12], "nothing until a chunk is full; then all that was written")
        #expect(output.takeChunk() == nil, "a chunk still filling stays")
        try output.close()
        taken.append(try #require(output.takeChunk()))
        #expect(output.takeChunk() == nil)
        #expect(String(decoding: taken.joined(), as: UTF8.self) == "abcdefghijklmn")
    }
}
