import SluiceCore
import Testing

@testable import SluiceFormats

struct CSVDecoderTests {
    static let tricky = "id,name,note\r\n1,\"Doe, Jane\",\"she said \"\"hi\"\"\"\r\n\r\n2,José,\"two\nlines\"\n3,,last\n"

    @Test func quotedFieldsDoubledQuotesAndEmbeddedNewlines() async throws {
        let (header, rows, _) = try await DecodeHelper.decode(ChunkedMemorySource(Self.tricky))
        #expect(header == ["id", "name", "note"])
        #expect(rows.map(\.fields) == [
            ["1", "Doe, Jane", "she said \"hi\""],
            ["2", "José", "two\nlines"],
            ["3", "", "last"],
        ])
        // The blank line 3 is skipped but counted; the quoted newline makes row 3 start on line 6.
        #expect(rows.map(\.line) == [2, 4, 6])
        #expect(rows.allSatisfy { $0.reasons.isEmpty })
    }

    @Test func everySplitPositionGivesTheSameRows() async throws {
        let text = Self.tricky + "4,\"a\"\"\",\"\"\r\n5,x,\"y\"\r\n"
        let reference = try await DecodeHelper.decode(ChunkedMemorySource(text))
        let length = text.utf8.count
        for cut in 0...length {
            for batchRows in [1, 2, 1000] {
                let result = try await DecodeHelper.decode(ChunkedMemorySource(text, cuts: [cut]), batchRows: batchRows)
                #expect(result.header == reference.header, "cut at \(cut)")
                #expect(result.rows == reference.rows, "cut at \(cut), batch of \(batchRows)")
            }
        }
        // Every byte its own chunk.
        let single = try await DecodeHelper.decode(ChunkedMemorySource(text, cuts: Array(0...length)), batchRows: 2)
        #expect(single.rows == reference.rows)
    }

    @Test func batchesChainByOffsetAndLine() async throws {
        let text = "a,b\n1,2\n3,4\n\n5,6\n7,8\n"
        let (_, _, batches) = try await DecodeHelper.decode(ChunkedMemorySource(text, cuts: [9, 13]), batchRows: 2)
        #expect(batches.map(\.rowCount) == [2, 2])
        #expect(batches[0].startOffset == 4)
        #expect(batches[0].nextOffset == batches[1].startOffset)
        #expect(batches[1].offsets.first == batches[0].nextOffset + 1, "the blank line belongs to the gap")
        #expect(batches[1].nextOffset == Int64(text.utf8.count))
        #expect(batches.map(\.sequence) == [0, 1])
        #expect(batches[0].nextLine == 4)
    }

    @Test func bomAndCRLFAreHandled() async throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("name;iban\r\nA;B\r\nC;D".utf8)
        let (header, rows, _) = try await DecodeHelper.decode(ChunkedMemorySource(bytes: bytes, cuts: [2, 12]))
        #expect(header == ["name", "iban"])
        #expect(rows.map(\.fields) == [["A", "B"], ["C", "D"]])
        #expect(rows.map(\.offset) == [14, 19])
    }

    @Test(arguments: [(",", "a,b,c"), (";", "a;b;c"), ("\t", "a\tb\tc"), ("|", "a|b|c"), (";", "\"x,y\";b;c")])
    func delimiterIsDetectedFromTheHeader(expected: String, headerLine: String) async throws {
        let (header, rows, _) = try await DecodeHelper.decode(ChunkedMemorySource(headerLine + "\n1\(expected)2\(expected)3\n"))
        #expect(header.count == 3)
        #expect(rows.first?.fields == ["1", "2", "3"])
    }

    @Test func raggedRowsAreRejectedWithTheirLine() async throws {
        let text = "a,b,c\n1,2,3\n1,2\n1,2,3,4\n5,6,7\n"
        let (_, rows, batches) = try await DecodeHelper.decode(ChunkedMemorySource(text))
        #expect(rows.map(\.reasons) == [[], ["csv.ragged"], ["csv.ragged"], []])
        #expect(rows.map(\.line) == [2, 3, 4, 5])
        #expect(batches[0].rejections.map(\.message) == ["expected 3 fields, found 2", "expected 3 fields, found 4"])
    }

    @Test func unterminatedQuoteRejectsOnlyTheLastRecord() async throws {
        let text = "a,b\n1,2\n3,\"open\nstill open\n"
        let (_, rows, _) = try await DecodeHelper.decode(ChunkedMemorySource(text))
        #expect(rows.count == 2)
        #expect(rows[0].reasons.isEmpty)
        #expect(rows[1].reasons == ["csv.unterminated_quote"])
        #expect(rows[1].line == 3)
    }

    @Test func invalidUTF8RejectsTheRowAndNamesTheColumn() async throws {
        let bytes = Array("name,city\nJosé,Köln\n".utf8) + [UInt8(ascii: "x"), 0xFF, UInt8(ascii: ","), UInt8(ascii: "y"), 0x0A] + Array("ok,ok\n".utf8)
        let (_, rows, batches) = try await DecodeHelper.decode(ChunkedMemorySource(bytes: bytes))
        #expect(rows.map(\.reasons) == [[], ["encoding.invalid_utf8"], []])
        #expect(rows[1].line == 3)
        #expect(batches[0].rejections.first?.column == "name")
    }

    @Test func windows1252IsTranscodedToUTF8() async throws {
        let bytes: [UInt8] = Array("name;amount\n".utf8) + [0x4A, 0x6F, 0x73, 0xE9, UInt8(ascii: ";"), 0x80, 0x35, 0x0A]
        let source = ChunkedMemorySource(bytes: bytes)
        let result = try await DecodeHelper.decode(source, dialect: CSVDialectInput(dialect: CSVDialect(encoding: .windows1252)))
        #expect(result.rows.map(\.fields) == [["José", "€5"]])
        #expect(result.rows[0].raw == "José;€5")
        #expect(result.rows[0].reasons.isEmpty)
    }

    @Test func overlongRecordIsRejectedAndScanningResumesAtTheNextLine() async throws {
        let long = String(repeating: "x", count: 300)
        let text = "a,b\n1,2\n3,\"\(long)\n\(long)\n4,5\n6,7\n"
        for cut in [0, 20, 100, 400] {
            let result = try await DecodeHelper.decode(
                ChunkedMemorySource(text, cuts: [cut, cut + 64]),
                dialect: CSVDialectInput(dialect: CSVDialect(maxRecordBytes: 128)),
                batchRows: 2
            )
            // Line 3 opens a quote that never closes; scanning resumes on line 4, which is
            // itself longer than the limit.
            #expect(result.rows.map(\.reasons) == [[], ["csv.record_too_long"], ["csv.record_too_long"], [], []], "cut \(cut)")
            #expect(result.rows.map(\.line) == [2, 3, 4, 5, 6], "cut \(cut)")
            #expect(result.rows.last?.fields == ["6", "7"])
            let expectedOffset = Int64(text.utf8.count - 4)
            #expect(result.rows.last?.offset == expectedOffset, "cut \(cut)")
        }
    }

    @Test func seekResumesAtACheckpoint() async throws {
        let text = "a,b\n1,2\n3,4\n5,\"x\ny\"\n7,8\n"
        let source = ChunkedMemorySource(text)
        let all = try await DecodeHelper.decode(source, batchRows: 1)
        var decoder = CSVDecoder(source: source, object: try await source.describe(), batchRows: 1)
        _ = try await decoder.readHeader()
        let checkpoint = all.batches[1]
        try await decoder.seek(toOffset: checkpoint.nextOffset, line: checkpoint.nextLine, sequence: 2)
        var resumed: [DecodedRow] = []
        var sequences: [Int] = []
        while let batch = try await decoder.nextBatch() {
            resumed += DecodeHelper.rowsOf(batch)
            sequences.append(batch.sequence)
        }
        #expect(resumed == Array(all.rows.dropFirst(2)))
        #expect(sequences == [2, 3])
    }

    @Test func emptyFileIsAnError() async throws {
        await #expect(throws: SluiceError.self) {
            _ = try await DecodeHelper.decode(ChunkedMemorySource(""))
        }
    }
}
