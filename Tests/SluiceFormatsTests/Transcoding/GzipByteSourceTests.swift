import Foundation
import SluiceCore
import Testing

@testable import SluiceFormats

struct GzipByteSourceTests {
    typealias Fixtures = TranscodingFixtures

    @Test(arguments: [1, 3, 4096])
    func aGzipFileDecodesToTheSameRowsAsTheUncompressedFile(chunkSize: Int) async throws {
        let reference = try await Fixtures.decode(Fixtures.source(Fixtures.csvBytes), batchRows: 7)
        let compressed = Fixtures.gzip(Fixtures.csvBytes)
        let decoded = try await Fixtures.decode(Fixtures.source(compressed, chunkSize: chunkSize, name: "debtors.csv.gz"), batchRows: 7)
        #expect(decoded.header.detected == ["gzip"])
        #expect(decoded.header.fields == reference.header.fields)
        #expect(decoded.rows == reference.rows)
        #expect(decoded.batches.map(\.nextOffset) == reference.batches.map(\.nextOffset))
        #expect(decoded.batches.first?.object.uri == "memory:debtors.csv.gz")
    }

    @Test(arguments: [1, 7, 1 << 18])
    func decompressedChunksOfAnySizeGiveTheSameBytes(chunkSize: Int) async throws {
        let compressed = Fixtures.source(Fixtures.gzip(Fixtures.csvBytes), chunkSize: 5)
        let source = GzipByteSource(inner: compressed, object: try await compressed.describe(), chunkSize: chunkSize)
        let bytes = Fixtures.csvBytes
        #expect(try await Fixtures.readAll(source) == bytes)
        #expect(try await Fixtures.readAll(source, at: 700) == Array(bytes[700...]))
        #expect(try await Fixtures.readAll(source, at: 10, end: 600) == Array(bytes[10..<600]))
        #expect(try await Fixtures.readAll(source, at: Int64(bytes.count)) == [])
        #expect(try await source.describe().size == Int64(bytes.count), "ISIZE of a single member")
        #expect(try await source.describe().etag == compressed.describe().etag)
    }

    @Test func aMultiMemberFileReadsAsTheConcatenationOfItsMembers() async throws {
        let bytes = Fixtures.csvBytes
        // Cut inside a record, so a row spans two members.
        let cuts = [0, 301, 302, bytes.count * 3 / 4, bytes.count]
        let members = zip(cuts, cuts.dropFirst()).map { Fixtures.gzip(Array(bytes[$0..<$1])) }
        let reference = try await Fixtures.decode(Fixtures.source(bytes), batchRows: 5)
        for chunkSize in [1, 4096] {
            let decoded = try await Fixtures.decode(Fixtures.source(Array(members.joined()), chunkSize: chunkSize), batchRows: 5)
            #expect(decoded.rows == reference.rows)
        }
    }

    @Test func zeroPaddingAfterTheLastMemberIsIgnored() async throws {
        let compressed = Fixtures.gzip(Fixtures.csvBytes) + [UInt8](repeating: 0, count: 700)
        let decoded = try await Fixtures.decode(Fixtures.source(compressed, chunkSize: 64))
        #expect(decoded.rows.count == 40)
    }

    /// Ways a gzip file gets damaged, and what the error says.
    enum Damage: String, CaseIterable, Sendable {
        case truncated, trailerCut, flippedByte, badCRC, garbageAfter, badSecondMember

        func apply(to bytes: [UInt8]) -> [UInt8] {
            var copy = bytes
            switch self {
            case .truncated: copy.removeLast(bytes.count / 2)
            case .trailerCut: copy.removeLast(3)
            case .flippedByte: copy[copy.count / 2] ^= 0x55
            case .badCRC: copy[copy.count - 6] ^= 0x01
            case .garbageAfter: copy += [0, 0, 0x41]
            case .badSecondMember: copy += Array("not gzip".utf8)
            }
            return copy
        }

        var expected: String {
            switch self {
            case .truncated, .trailerCut: return "ends early"
            case .flippedByte, .badCRC: return "corrupt"
            case .garbageAfter: return "unexpected bytes"
            case .badSecondMember: return "gzip member 2"
            }
        }
    }

    @Test(arguments: Damage.allCases)
    func aDamagedGzipFailsTheRunNamingTheObjectAndTheDecompressedOffset(damage: Damage) async throws {
        let compressed = damage.apply(to: Fixtures.gzip(Fixtures.csvBytes))
        await #expect {
            _ = try await Fixtures.decode(Fixtures.source(compressed, chunkSize: 100, name: "debtors.csv.gz"))
        } throws: { error in
            guard let error = error as? SluiceError else { return false }
            return error.code == .format && error.object == "memory:debtors.csv.gz" && error.reason.contains(damage.expected)
                && error.reason.contains("at decompressed byte ") && error.stage == "parse"
        }
    }

    @Test func theTruncationOffsetIsWhereTheDecompressedBytesStop() async throws {
        let bytes = Fixtures.csvBytes
        let compressed = Fixtures.gzip(bytes, level: 0)  // stored blocks: offsets are predictable
        let cut = Array(compressed.prefix(compressed.count - 8 - 100))
        let source = GzipByteSource(inner: Fixtures.source(cut), object: try await Fixtures.source(cut).describe())
        await #expect {
            _ = try await Fixtures.readAll(source)
        } throws: { error in
            "\(error)".contains("at decompressed byte \(bytes.count - 100) ") && "\(error)".contains("the file is truncated")
        }
    }

    @Test func aGzipBombIsRefused() async throws {
        let zeros = Fixtures.gzip([UInt8](repeating: UInt8(ascii: "a"), count: 4 << 20), level: 9)
        let ratio = GzipLimits(maxCompressionRatio: 200, ratioGraceBytes: 1 << 20)
        await #expect {
            _ = try await Fixtures.decode(Fixtures.source(zeros), options: DecoderOptions(gzipLimits: ratio))
        } throws: { error in
            (error as? SluiceError)?.reason.contains("times its compressed size (gzip bomb?)") == true
        }
        let size = GzipLimits(maxDecompressedBytes: 1 << 20)
        await #expect {
            _ = try await Fixtures.decode(Fixtures.source(zeros), options: DecoderOptions(gzipLimits: size))
        } throws: { error in
            (error as? SluiceError)?.reason.contains("more than the limit of 1048576 bytes") == true
        }
    }

    @Test(arguments: [UTF16ByteSource.ByteOrder.littleEndian, .bigEndian])
    func aGzipOfUTF16IsDecompressedThenTranscoded(byteOrder: UTF16ByteSource.ByteOrder) async throws {
        let reference = try await Fixtures.decode(Fixtures.source(Fixtures.csvBytes), batchRows: 4)
        let compressed = Fixtures.gzip(Fixtures.utf16(Fixtures.csv, bigEndian: byteOrder == .bigEndian))
        for chunkSize in [3, 4096] {
            let decoded = try await Fixtures.decode(Fixtures.source(compressed, chunkSize: chunkSize), batchRows: 4)
            #expect(decoded.header.detected == ["gzip", "\(byteOrder.rawValue) → UTF-8"])
            #expect(decoded.rows == reference.rows)
        }
    }

    @Test func aGzippedUTF8BOMIsNamed() async throws {
        let decoded = try await Fixtures.decode(Fixtures.source(Fixtures.gzip([0xEF, 0xBB, 0xBF] + Fixtures.csvBytes)))
        #expect(decoded.header.detected == ["gzip", "UTF-8 BOM"])
        #expect(decoded.header.fields.first == "id")
    }

    @Test func aGzippedWorkbookOrADoubleGzipIsRefused() async throws {
        let workbook = try Array(Data(contentsOf: URL(fileURLWithPath: XLSXFixtures.path("libreoffice.xlsx"))))
        await #expect {
            _ = try await Fixtures.decode(Fixtures.source(Fixtures.gzip(workbook), name: "debtors.xlsx.gz"))
        } throws: { error in
            (error as? SluiceError)?.reason.contains("gzip-compressed workbooks are not read") == true
        }
        await #expect {
            _ = try await Fixtures.decode(Fixtures.source(Fixtures.gzip(Fixtures.gzip(Fixtures.csvBytes))))
        } throws: { error in
            (error as? SluiceError)?.reason.contains("gzip-compressed twice") == true
        }
    }

    @Test(arguments: [3, 4096])
    func resumingAtAnyBatchBoundaryReadsExactlyTheRemainingRows(chunkSize: Int) async throws {
        let bytes = Fixtures.csvBytes
        let members = Fixtures.gzip(Array(bytes[..<(bytes.count / 2)])) + Fixtures.gzip(Array(bytes[(bytes.count / 2)...]))
        for compressed in [Fixtures.gzip(bytes), members, Fixtures.gzip(Fixtures.utf16(Fixtures.csv, bigEndian: false))] {
            let source = Fixtures.source(compressed, chunkSize: chunkSize)
            let full = try await Fixtures.decode(source, batchRows: 3)
            #expect(full.rows.count == 40)
            var before = 0
            for batch in full.batches {
                before += batch.rowCount
                let rest = try await Fixtures.decodeResumed(source, after: batch, batchRows: 3)
                #expect(rest == Array(full.rows[before...]), "after batch \(batch.sequence)")
            }
        }
    }
}

extension GzipByteSourceTests {
    /// Bytes that barely compress, so the compressed file is larger than the first bounded read.
    static func noise(count: Int) -> [UInt8] {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        return (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
    }

    @Test func aBoundedReadAsksForTheFirstCompressedBytesOnlyAndReadsOnWhenNeeded() async throws {
        let plain = Self.noise(count: 300_000)
        let inner = RangedMemorySource(bytes: Fixtures.gzip(plain))
        let object = try await inner.describe()
        let source = GzipByteSource(inner: inner, object: object, chunkSize: 4096)
        #expect(try await Fixtures.readAll(source, end: 512) == Array(plain[..<512]))
        #expect(inner.opens.count == 1)
        #expect(inner.opens.first?.end == GzipByteSource.boundedReadBytes)

        // A bounded read past what the first compressed bytes hold continues where they ended.
        #expect(try await Fixtures.readAll(source, at: 100_000, end: 200_000) == Array(plain[100_000..<200_000]))
        #expect(inner.opens.suffix(2).map(\.offset) == [0, GzipByteSource.boundedReadBytes])
        #expect(try await Fixtures.readAll(source) == plain)
    }
}
