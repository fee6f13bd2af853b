import NIOCore
import SluiceCore
import Testing

@testable import SluicePostgres

struct CopyEncoderTests {
    /// Two rows of two columns, built the way the decoder and mapper leave them.
    static func batch(values: [[String]], raws: [String]) -> RecordBatch {
        var batch = RecordBatch(sequence: 3, object: SourceObject(uri: "s3://b/k.csv", etag: "e", size: 0), startOffset: 0)
        batch.columnCount = values.first?.count ?? 0
        for (row, rowValues) in values.enumerated() {
            let rawStart = Int32(batch.arena.count)
            batch.arena.append(contentsOf: Array(raws[row].utf8))
            batch.rawStarts.append(rawStart)
            batch.rawEnds.append(Int32(batch.arena.count))
            for value in rowValues {
                let start = Int32(batch.arena.count)
                batch.arena.append(contentsOf: Array(value.utf8))
                batch.valueStarts.append(start)
                batch.valueEnds.append(Int32(batch.arena.count))
            }
            batch.lines.append(Int64(row + 2))
            batch.offsets.append(Int64(row * 100))
            batch.status.append(.accepted)
            batch.rowFieldBase.append(0)
        }
        return batch
    }

    static func text(_ buffer: ByteBuffer) -> String {
        String(decoding: buffer.readableBytesView, as: UTF8.self)
    }

    @Test func acceptedRowsAreTabSeparatedWithLineageAndNullForEmpty() {
        let batch = Self.batch(values: [["DE89", ""], ["NL91", "Anna"]], raws: ["DE89,", "NL91,Anna"])
        let encoder = CopyEncoder(runID: "r1", columns: ["iban", "name"])
        #expect(encoder.targetColumns == ["run_id", "source_line", "source_offset", "iban", "name", "raw"])
        #expect(Self.text(encoder.encodeAccepted(batch)) == "r1\t2\t0\tDE89\t\\N\tDE89,\nr1\t3\t100\tNL91\tAnna\tNL91,Anna\n")
    }

    @Test func specialBytesAreEscaped() {
        let batch = Self.batch(values: [["a\tb\\c\nd\re\u{1}"]], raws: ["x"])
        let encoded = Self.text(CopyEncoder(runID: "r", columns: ["v"]).encodeAccepted(batch))
        #expect(encoded == "r\t2\t0\ta\\tb\\\\c\\nd\\re\\001\tx\n")
    }

    @Test func rejectedRowsAreLeftOutAndRawCanBeDropped() {
        var batch = Self.batch(values: [["1"], ["2"]], raws: ["one", "two"])
        batch.reject(row: 0, code: "csv.ragged", message: "expected 2 fields, found 1")
        let encoder = CopyEncoder(runID: "r", columns: ["v"], keepRaw: false)
        #expect(encoder.targetColumns.last == "v")
        #expect(Self.text(encoder.encodeAccepted(batch)) == "r\t3\t100\t2\n")
    }

    @Test func rejectionsCarryCodeMessageColumnAndRawBytesAsHex() {
        var batch = Self.batch(values: [["1"]], raws: ["a\u{FF}"])
        batch.reject(row: 0, code: "encoding.invalid_utf8", message: "invalid UTF-8", column: "name")
        batch.reject(row: 0, code: "iban.required", message: "iban is required")
        let encoded = Self.text(CopyEncoder(runID: "r", columns: ["v"]).encodeRejected(batch))
        let raw = "\\\\x61c3bf"
        #expect(encoded == "r\t3\ts3://b/k.csv\t2\t0\tencoding.invalid_utf8\tinvalid UTF-8\tname\t\(raw)\trejected\n"
            + "r\t3\ts3://b/k.csv\t2\t0\tiban.required\tiban is required\t\\N\t\(raw)\trejected\n")
    }

    @Test func encodedBufferIsNoLargerThanNeeded() {
        let rows = (0..<1000).map { ["value \($0)", "other \($0)"] }
        let batch = Self.batch(values: rows, raws: rows.map { $0.joined(separator: ",") })
        let buffer = CopyEncoder(runID: "r", columns: ["a", "b"]).encodeAccepted(batch)
        #expect(buffer.capacity <= buffer.readableBytes + buffer.readableBytes / 4 + 4096)
    }

    @Test func flagsOfAcceptedRowsAreWrittenAsFlaggedAndFlagsOfRejectedRowsAreNot() {
        var batch = Self.batch(values: [["DE89"], ["NL91"]], raws: ["DE89", "NL91"])
        batch.flag(row: 0, code: "vop.close_match", message: "close match", column: "name")
        batch.flag(row: 1, code: "vop.close_match", message: "close match")
        batch.reject(row: 1, code: "iban.checksum", message: "bad checksum", column: "iban")
        let encoder = CopyEncoder(runID: "r1", columns: ["iban"])
        #expect(CopyEncoder.rejectionColumns.last == "outcome")
        let rows = Self.text(encoder.encodeRejected(batch)).split(separator: "\n").map(String.init)
        #expect(rows.count == 2)
        #expect(rows[0].hasPrefix("r1\t3\ts3://b/k.csv\t3\t100\tiban.checksum\tbad checksum\tiban\t") && rows[0].hasSuffix("\trejected"))
        #expect(rows[1].hasPrefix("r1\t3\ts3://b/k.csv\t2\t0\tvop.close_match\tclose match\tname\t") && rows[1].hasSuffix("\tflagged"))
        #expect(Self.text(encoder.encodeAccepted(batch)).hasPrefix("r1\t2\t0\tDE89"), "a flagged row is loaded")
        let counters = RunCounters(batch: batch)
        #expect(counters.rowsFlagged == 1 && counters.rowsAccepted == 1 && counters.rowsRejected == 1)
        #expect(counters.flaggedByReason == ["vop.close_match": 1])
    }

    @Test func stageEffectsAreCopyTextWithEscapesAndNulls() {
        let effect = StageEffect(table: "sluice.vop_results", columns: ["key", "answer", "note"], rows: [
            ["k1", "MTCH", nil],
            ["k2", "tab\there\nnewline", "back\\slash"],
        ])
        #expect(Self.text(CopyEncoder.encode(effect)) == "k1\tMTCH\t\\N\nk2\ttab\\there\\nnewline\tback\\\\slash\n")
    }
}
