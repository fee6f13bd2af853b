import Foundation
import SluiceCore
import Testing

@testable import SluiceFormats

/// Files from real writers read to exactly the cell text their generator wrote down.
struct XLSXFixtureTests {
    static let fixtures = [
        ("xlsxwriter-normal.xlsx", nil, "xlsxwriter-normal.expected.jsonl"),
        ("xlsxwriter-normal.xlsx", "Second", "xlsxwriter-normal.Second.expected.jsonl"),
        ("xlsxwriter-normal.xlsx", "3", "xlsxwriter-normal.Second.expected.jsonl"),
        ("xlsxwriter-constant-memory.xlsx", nil, "xlsxwriter-constant-memory.expected.jsonl"),
        ("openpyxl.xlsx", nil, "openpyxl.expected.jsonl"),
        ("openpyxl.xlsx", "other", "openpyxl.Other.expected.jsonl"),
        ("openpyxl-1904.xlsx", nil, "openpyxl-1904.expected.jsonl"),
        ("pandas.xlsx", nil, "pandas.expected.jsonl"),
        ("libreoffice.xlsx", nil, "libreoffice.expected.jsonl"),
        ("libxlsxwriter.xlsx", nil, "libxlsxwriter.expected.jsonl"),
        ("edge-cases.xlsx", nil, "edge-cases.expected.jsonl"),
        ("date1904.xlsx", nil, "date1904.expected.jsonl"),
    ]

    @Test(arguments: fixtures)
    func cellTextMatchesTheWriterData(file: String, sheet: String?, expected: String) async throws {
        let result = try await XLSXFixtures.decode(XLSXFixtures.file(file), sheet: sheet)
        let rows = try XLSXFixtures.expected(expected)
        #expect(result.header.fields == rows[0])
        #expect(result.header.format == .xlsx)
        #expect(result.rows.map(\.fields) == Array(rows.dropFirst()))
    }

    @Test func theDefaultSheetIsTheFirstVisibleOne() async throws {
        let result = try await XLSXFixtures.decode(XLSXFixtures.file("xlsxwriter-normal.xlsx"))
        #expect(result.header.sheet == "Data")
        let hidden = try await XLSXFixtures.decode(XLSXFixtures.file("xlsxwriter-normal.xlsx"), sheet: "1")
        #expect(hidden.header.sheet == "Hidden")
        #expect(hidden.header.fields == ["secret", "stuff"])
    }

    @Test func anUnknownSheetIsRefusedWithTheSheetNames() async throws {
        let error = await #expect(throws: SluiceError.self) {
            _ = try await XLSXFixtures.decode(XLSXFixtures.file("xlsxwriter-normal.xlsx"), sheet: "Nope")
        }
        #expect(error?.reason.contains("no sheet 'Nope'") == true)
        #expect(error?.reason.contains("Hidden, Data, Second") == true)
    }

    @Test func linesAreSheetRowsAndRawRecordsAreCSV() async throws {
        let result = try await XLSXFixtures.decode(XLSXFixtures.file("xlsxwriter-normal.xlsx"))
        #expect(result.header.dataOffset == 2)
        #expect(result.rows.map(\.line) == [2, 3, 4, 5, 6, 9, 10, 11, 12])
        // Positions count <row> elements in document order; rows 7 and 8 are blank.
        #expect(result.rows.map(\.offset) == [2, 3, 4, 5, 6, 7, 8, 9, 10])
        #expect(result.batches.map(\.skippedRows).reduce(0, +) == 0, "blank rows that xlsxwriter leaves out are no <row> elements")
        #expect(result.rows[1].raw == "2,\"Jean, Dupont\",1234.56,1999-12-31,2023-12-31T23:59:59,FALSE,3,")
        #expect(result.rows[2].raw == "3,\"Say \"\"hi\"\"\",-42.5,2000-02-29,2000-01-01T00:00:00,TRUE,0.001,note 3")
        #expect(result.rows[3].raw.contains("\"Two\nlines\""))
        // Every raw record splits back into the fields with the CSV rules.
        for row in result.rows {
            let (_, split, _) = try await DecodeHelper.decode(ChunkedMemorySource("h1,h2,h3,h4,h5,h6,h7,h8\n" + row.raw + "\n"))
            #expect(split.first?.fields == row.fields)
        }
    }

    @Test func rejectionsNameSheetRowAndColumn() async throws {
        let result = try await XLSXFixtures.decode(XLSXFixtures.file("edge-cases.xlsx"))
        let rejected = result.rows.filter { !$0.reasons.isEmpty }
        #expect(rejected.map(\.line) == [7, 8])
        #expect(rejected.map(\.reasons) == [["xlsx.error_cell"], ["xlsx.ragged"]])
        let rejections = result.batches.flatMap(\.rejections)
        #expect(rejections[0].column == "inline")
        #expect(rejections[0].message == "cell C7 holds the error #DIV/0! (sheet 'Sheet1')")
        #expect(rejections[1].message == "expected 5 columns, found a value in column F (sheet 'Sheet1', row 8)")
    }

    @Test(arguments: [1, 2, 3, 1000])
    func batchesChainByPosition(batchRows: Int) async throws {
        let reference = try await XLSXFixtures.decode(XLSXFixtures.file("xlsxwriter-normal.xlsx"))
        let result = try await XLSXFixtures.decode(XLSXFixtures.file("xlsxwriter-normal.xlsx", chunkSize: 97), batchRows: batchRows)
        #expect(result.rows == reference.rows)
        #expect(result.batches.allSatisfy { $0.rowCount <= batchRows })
        #expect(result.batches.map(\.sequence) == Array(0..<result.batches.count))
        #expect(result.batches.first?.startOffset == 2)
        for (previous, next) in zip(result.batches, result.batches.dropFirst()) {
            #expect(previous.nextOffset == next.startOffset)
            #expect(previous.nextLine == previous.lines.last! + 1, "the next line is the row number after the batch's last row")
            #expect(next.offsets.first! >= previous.nextOffset)
        }
    }

    @Test(arguments: [Int64(2), 5, 7, 9, 10, 11, 100])
    func seekingToAPositionSkipsTheRowsBeforeIt(position: Int64) async throws {
        let reference = try await XLSXFixtures.decode(XLSXFixtures.file("xlsxwriter-normal.xlsx"))
        let resumed = try await XLSXFixtures.decode(XLSXFixtures.file("xlsxwriter-normal.xlsx"), seekTo: position)
        #expect(resumed.rows == reference.rows.filter { $0.offset >= position })
        #expect(resumed.batches.first.map(\.startOffset) ?? position == position)
    }

    @Test func seekingBackAfterBatchesReStreamsTheSheet() async throws {
        let source = XLSXFixtures.file("xlsxwriter-normal.xlsx")
        let object = try await source.describe()
        var decoder = XLSXDecoder(source: source, object: object, batchRows: 2)
        _ = try await decoder.readHeader()
        let first = try await decoder.nextBatch()
        let second = try await decoder.nextBatch()
        #expect(second?.lines == [4, 5])
        try await decoder.seek(toOffset: first!.nextOffset, line: first!.nextLine, sequence: 1)
        let again = try await decoder.nextBatch()
        #expect(again?.lines == second?.lines)
        #expect(again?.sequence == 1)
    }

    @Test func aSeekWhileARowIsHalfParsedDoesNotLetThatRowThrough() async throws {
        // Tiny batches and a seek right after the header: the first parse slice ends inside a row.
        let source = XLSXFixtures.file("xlsxwriter-normal.xlsx")
        for target: Int64 in [3, 4, 6, 10] {
            let resumed = try await XLSXFixtures.decode(source, batchRows: 1, seekTo: target)
            #expect(resumed.rows.allSatisfy { $0.offset >= target }, "seek to \(target)")
        }
    }

    @Test func theSameWorkbookReadsTheSameFromMemoryInTinyChunks() async throws {
        let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: XLSXFixtures.path("libreoffice.xlsx"))))
        let reference = try await XLSXFixtures.decode(XLSXFixtures.file("libreoffice.xlsx"))
        let tiny = try await XLSXFixtures.decode(MemoryByteSource(bytes: bytes, name: "libreoffice.xlsx", chunkSize: 7))
        #expect(tiny.rows.map(\.fields) == reference.rows.map(\.fields))
    }
}
