import SluiceCore
import SluiceTestSupport
import Testing

@testable import SluiceFormats

/// Rows are read and resumed by their position in the sheet, never by their `r` number:
/// sheets whose numbers run downwards, repeat, jump back below the header or are 0 lose no
/// row and load none twice (issue 9, defects 1 and 2).
struct XLSXRowPositionTests {
    static let header = TinyWorkbook.row("1", ["external_id", "amount"])

    func decode(_ rows: [String], batchRows: Int = 1000, seekTo: Int64? = nil) async throws -> XLSXFixtures.Decoded {
        let source = MemoryByteSource(bytes: TinyWorkbook.bytes(rows: rows), name: "tiny.xlsx", chunkSize: 700)
        return try await XLSXFixtures.decode(source, batchRows: batchRows, seekTo: seekTo)
    }

    /// Every batch adds up, and the batches follow each other from the first data position.
    func expectAccounted(_ decoded: XLSXFixtures.Decoded, from start: Int64? = nil) {
        var accounting = RowAccounting(firstOffset: start ?? decoded.header.dataOffset)
        for batch in decoded.batches {
            #expect(accounting.check(batch) == nil)
        }
    }

    /// Header at r=300, then 299 rows numbered 299 down to 1: the shape that loaded rows twice.
    static let descending: [String] = [TinyWorkbook.row("300", ["external_id", "amount"])]
        + (1...299).reversed().map { TinyWorkbook.row(String($0), ["id\($0)", "\($0).00"]) }

    @Test func rowsNumberedDownwardsAreReadOnceInSheetOrder() async throws {
        let decoded = try await decode(Self.descending, batchRows: 10)
        #expect(decoded.rows.count == 299)
        #expect(decoded.rows.map(\.fields[0]) == (1...299).reversed().map { "id\($0)" })
        #expect(decoded.rows.first?.line == 299, "the line is the row number Excel shows")
        #expect(decoded.rows.map(\.offset) == Array(2...300), "positions count <row> elements in document order")
        expectAccounted(decoded)
    }

    @Test(arguments: [1, 3, 10, 29])
    func resumingAtAnyBatchOfADescendingSheetGivesExactlyTheRest(batchIndex: Int) async throws {
        let whole = try await decode(Self.descending, batchRows: 10)
        let checkpoint = whole.batches[batchIndex - 1]
        let rest = try await decode(Self.descending, batchRows: 10, seekTo: checkpoint.nextOffset)
        let expected = whole.batches[batchIndex...].flatMap { DecodeHelper.rowsOf($0) }
        #expect(rest.rows.map(\.fields) == expected.map(\.fields))
        #expect(rest.batches.map(\.startOffset) == whole.batches[batchIndex...].map(\.startOffset), "the same batch cuts after a resume")
        expectAccounted(rest, from: checkpoint.nextOffset)
    }

    @Test func dataRowsNumberedBelowTheHeaderAreNotDropped() async throws {
        let rows = [
            TinyWorkbook.row("10", ["external_id", "amount"]),
            TinyWorkbook.row("2", ["a", "1.00"]),
            TinyWorkbook.row("3", ["b", "2.00"]),
            TinyWorkbook.row("4", ["c", "3.00"]),
            TinyWorkbook.row("11", ["d", "4.00"]),
        ]
        let decoded = try await decode(rows)
        #expect(decoded.rows.map(\.fields[0]) == ["a", "b", "c", "d"])
        #expect(decoded.rows.map(\.line) == [2, 3, 4, 11])
        #expect(decoded.rows.allSatisfy { $0.reasons.isEmpty })
        expectAccounted(decoded)
    }

    @Test(arguments: ["0", "-3", "1048577", "x7"])
    func aRowWithoutAValidNumberIsRejectedNotDropped(r: String) async throws {
        let rows = [Self.header, TinyWorkbook.row("2", ["a", "1.00"]), TinyWorkbook.row(r, ["b", "2.00"]), TinyWorkbook.row("4", ["c", "3.00"])]
        let decoded = try await decode(rows)
        #expect(decoded.rows.map(\.fields[0]) == ["a", "b", "c"])
        #expect(decoded.rows[1].reasons == ["xlsx.row_number"])
        #expect(decoded.batches[0].rejections.first?.message.contains("position 3") == true)
        expectAccounted(decoded)
    }

    @Test func repeatedRowNumbersAreReadAsSeparateRows() async throws {
        let rows = [Self.header, TinyWorkbook.row("2", ["a", "1.00"]), TinyWorkbook.row("2", ["b", "2.00"]), TinyWorkbook.row("2", ["c", "3.00"])]
        let decoded = try await decode(rows, batchRows: 1)
        #expect(decoded.rows.map(\.fields[0]) == ["a", "b", "c"])
        #expect(decoded.batches.map(\.nextOffset) == [3, 4, 5])
        let rest = try await decode(rows, batchRows: 1, seekTo: 3)
        #expect(rest.rows.map(\.fields[0]) == ["b", "c"])
    }

    @Test func blankRowsAreCountedAsSkippedInTheBatchThatCoversThem() async throws {
        let rows = [
            TinyWorkbook.row(nil, []),  // before the header: not counted
            Self.header,
            TinyWorkbook.row("3", ["a", "1.00"]),
            #"<row r="4"/>"#,
            #"<row r="5"><c r="A5" t="inlineStr"><is><t></t></is></c></row>"#,
            TinyWorkbook.row("6", ["b", "2.00"]),
            TinyWorkbook.row("7", ["c", "3.00"]),
            #"<row r="8"/>"#,  // after the last row: outside every batch
        ]
        let decoded = try await decode(rows, batchRows: 2)
        #expect(decoded.rows.map(\.fields[0]) == ["a", "b", "c"])
        #expect(decoded.batches.map(\.skippedRows) == [2, 0])
        #expect(decoded.batches.map(\.startOffset) == [3, 7])
        #expect(decoded.batches.map(\.nextOffset) == [7, 8])
        expectAccounted(decoded)
    }
}
