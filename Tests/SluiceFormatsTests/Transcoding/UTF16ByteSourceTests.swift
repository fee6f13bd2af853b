import SluiceCore
import Testing

@testable import SluiceFormats

struct UTF16ByteSourceTests {
    typealias Fixtures = TranscodingFixtures

    @Test(arguments: [UTF16ByteSource.ByteOrder.littleEndian, .bigEndian], [1, 3, 4096])
    func utf16WithABOMDecodesToTheSameRowsAsTheUTF8File(byteOrder: UTF16ByteSource.ByteOrder, chunkSize: Int) async throws {
        let reference = try await Fixtures.decode(Fixtures.source(Fixtures.csvBytes), batchRows: 7)
        let bytes = Fixtures.utf16(Fixtures.csv, bigEndian: byteOrder == .bigEndian)
        let decoded = try await Fixtures.decode(Fixtures.source(bytes, chunkSize: chunkSize), batchRows: 7)
        #expect(decoded.header.fields == reference.header.fields)
        #expect(decoded.header.detected == ["\(byteOrder.rawValue) → UTF-8"])
        #expect(reference.header.detected == [])
        // Positions are offsets in the UTF-8 stream, so they equal the UTF-8 file's.
        #expect(decoded.rows == reference.rows)
        #expect(decoded.rows.count == 40)
        #expect(decoded.rows.allSatisfy { $0.reasons.isEmpty })
        #expect(decoded.batches.map(\.nextOffset) == reference.batches.map(\.nextOffset))
    }

    @Test func everySplitOfASurrogatePairTranscodesTheSame() {
        let text = "a😀é€\u{10FFFF}z"
        for bigEndian in [false, true] {
            let bytes = Fixtures.utf16(text, bigEndian: bigEndian)
            for cut in 0...bytes.count {
                for second in cut...bytes.count {
                    var transcoder = UTF16Transcoder(bigEndian: bigEndian)
                    var output: [UInt8] = []
                    for range in [0..<cut, cut..<second, second..<bytes.count] {
                        bytes[range].withUnsafeBufferPointer { transcoder.transcode($0, into: &output) }
                    }
                    transcoder.finish(into: &output)
                    #expect(output == Array(text.utf8), "cuts at \(cut), \(second)")
                }
            }
        }
    }

    @Test func unpairedSurrogatesRejectTheirRowWithItsLine() async throws {
        // Line 3 has a high surrogate followed by a letter, line 4 a lone low surrogate.
        var units = Array("id,name\n1,ok\n2,".utf16)
        units += [0xD83D] + Array("x\n3,".utf16)
        units += [0xDE00] + Array("\n4,fine😀\n".utf16)
        let decoded = try await Fixtures.decode(Fixtures.source(Fixtures.utf16(units: units, bigEndian: false), chunkSize: 3))
        #expect(decoded.rows.map(\.line) == [2, 3, 4, 5])
        #expect(decoded.rows.map(\.reasons) == [[], ["encoding.invalid_utf8"], ["encoding.invalid_utf8"], []])
        #expect(decoded.rows[1].fields.last?.hasPrefix("\u{FFFD}") == true, "shown as U+FFFD")
        #expect(decoded.rows[1].fields.last?.hasSuffix("x") == true, "the letter after the lone surrogate is kept")
        #expect(decoded.rows[3].fields == ["4", "fine😀"])
    }

    @Test func anOddByteAtTheEndRejectsTheLastRow() async throws {
        let bytes = Fixtures.utf16("id,name\n1,ok\n2,end", bigEndian: true) + [0x00]
        let decoded = try await Fixtures.decode(Fixtures.source(bytes, chunkSize: 4))
        #expect(decoded.rows.map(\.reasons) == [[], ["encoding.invalid_utf8"]])
        #expect(decoded.rows.map(\.line) == [2, 3])
    }

    @Test func theByteOrderMarkOverridesTheConfiguredEncoding() async throws {
        let bytes = Fixtures.utf16("id,name\n1,Müller\n", bigEndian: false)
        let options = DecoderOptions(dialect: CSVDialect(encoding: .windows1252))
        let decoded = try await Fixtures.decode(Fixtures.source(bytes), options: options)
        #expect(decoded.rows.map(\.fields) == [["1", "Müller"]])
    }

    @Test func aBoundedReadReturnsExactlyTheRange() async throws {
        let bytes = Fixtures.utf16(Fixtures.csv, bigEndian: false)
        let source = UTF16ByteSource(inner: Fixtures.source(bytes, chunkSize: 5), object: try await Fixtures.source(bytes).describe(), byteOrder: .littleEndian)
        let utf8 = Fixtures.csvBytes
        #expect(try await Fixtures.readAll(source) == utf8)
        #expect(try await Fixtures.readAll(source, end: 512) == Array(utf8[..<512]))
        #expect(try await Fixtures.readAll(source, at: 100, end: 130) == Array(utf8[100..<130]))
        #expect(try await Fixtures.readAll(source, at: 333) == Array(utf8[333...]))
        // The size is an estimate: half the UTF-16 bytes.
        #expect(try await source.describe().size == Int64(bytes.count - 2) / 2)
    }

    @Test func resumingAtAnyBatchBoundaryReadsExactlyTheRemainingRows() async throws {
        for bigEndian in [false, true] {
            let source = Fixtures.source(Fixtures.utf16(Fixtures.csv, bigEndian: bigEndian), chunkSize: 3)
            let full = try await Fixtures.decode(source, batchRows: 3)
            var before = 0
            for batch in full.batches {
                before += batch.rowCount
                let rest = try await Fixtures.decodeResumed(source, after: batch, batchRows: 3)
                #expect(rest == Array(full.rows[before...]), "after batch \(batch.sequence)")
            }
        }
    }

    @Test func utf32IsRefusedWithAClearMessage() async throws {
        let bytes: [UInt8] = [0xFF, 0xFE, 0x00, 0x00] + Array("i\0\0\0d\0\0\0".utf8)
        await #expect {
            _ = try await Fixtures.decode(Fixtures.source(bytes))
        } throws: { error in
            let error = error as? SluiceError
            return error?.code == .format && error?.reason.contains("UTF-32") == true && error?.object == "memory:debtors.csv"
        }
    }
}
