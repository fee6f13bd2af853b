import Foundation
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

    static let runID = UUID(uuidString: "0A1B2C3D-4E5F-4061-8293-A4B5C6D7E8F9")!
    static let runText = "0a1b2c3d-4e5f-4061-8293-a4b5c6d7e8f9"

    /// Reads binary COPY data back: per row the run id, line, offset, then the text fields
    /// (`nil` for NULL). Fails the test on anything that is not well-formed binary COPY.
    static func rows(_ buffer: ByteBuffer) throws -> [[String?]] {
        var buffer = buffer
        let headerBytes = buffer.readBytes(length: 19)
        let header = try #require(headerBytes)
        #expect(header == Array("PGCOPY\n".utf8) + [0xFF, 0x0D, 0x0A, 0x00, 0, 0, 0, 0, 0, 0, 0, 0])
        var rows: [[String?]] = []
        while true {
            let field16 = buffer.readInteger(as: Int16.self)
            let fields = try #require(field16)
            if fields == -1 { break }
            var row: [String?] = []
            for field in 0..<Int(fields) {
                let length32 = buffer.readInteger(as: Int32.self)
                let length = try #require(length32)
                if length == -1 {
                    row.append(nil)
                    continue
                }
                let read = buffer.readBytes(length: Int(length))
                let bytes = try #require(read)
                switch field {
                case 0:
                    #expect(bytes.count == 16)
                    let uuid = bytes.withUnsafeBytes { $0.loadUnaligned(as: uuid_t.self) }
                    row.append(UUID(uuid: uuid).uuidString.lowercased())
                case 1, 2:
                    #expect(bytes.count == 8)
                    row.append(String(bytes.reduce(Int64(0)) { $0 << 8 | Int64($1) }))
                default:
                    row.append(String(decoding: bytes, as: UTF8.self))
                }
            }
            rows.append(row)
        }
        #expect(buffer.readableBytes == 0, "nothing after the trailer")
        return rows
    }

    @Test func acceptedRowsAreBinaryCopyWithLineageAndNullForEmpty() throws {
        let batch = Self.batch(values: [["DE89", ""], ["NL91", "Anna"]], raws: ["DE89,", "NL91,Anna"])
        let encoder = CopyEncoder(runID: Self.runID, columns: ["iban", "name"])
        #expect(encoder.targetColumns == ["run_id", "source_line", "source_offset", "iban", "name", "raw"])
        let buffer = try encoder.encodeAccepted(batch)
        #expect(try Self.rows(buffer) == [[Self.runText, "2", "0", "DE89", nil, "DE89,"], [Self.runText, "3", "100", "NL91", "Anna", "NL91,Anna"]])
    }

    @Test func specialBytesTravelAsTheyAre() throws {
        let batch = Self.batch(values: [["a\tb\\c\nd\re\u{1}"]], raws: [""])
        let rows = try Self.rows(CopyEncoder(runID: Self.runID, columns: ["v"]).encodeAccepted(batch))
        #expect(rows == [[Self.runText, "2", "0", "a\tb\\c\nd\re\u{1}", ""]], "no escapes in binary COPY; an empty raw record is not NULL")
    }

    @Test func rejectedRowsAreLeftOutAndRawCanBeDropped() throws {
        var batch = Self.batch(values: [["1"], ["2"]], raws: ["one", "two"])
        batch.reject(row: 0, code: "csv.ragged", message: "expected 2 fields, found 1")
        let encoder = CopyEncoder(runID: Self.runID, columns: ["v"], keepRaw: false)
        #expect(encoder.targetColumns.last == "v")
        #expect(try Self.rows(encoder.encodeAccepted(batch)) == [[Self.runText, "3", "100", "2"]])
        batch.reject(row: 1, code: "csv.ragged", message: "expected 2 fields, found 1")
        #expect(try encoder.encodeAccepted(batch).readableBytes == 0, "no accepted row: nothing to copy")
    }

    @Test func rejectionsCarryCodeMessageColumnAndRawBytesAsHex() {
        var batch = Self.batch(values: [["1"]], raws: ["a\u{FF}"])
        batch.reject(row: 0, code: "encoding.invalid_utf8", message: "invalid UTF-8", column: "name")
        batch.reject(row: 0, code: "iban.required", message: "iban is required")
        let encoded = Self.text(CopyEncoder(runID: Self.runID, columns: ["v"]).encodeRejected(batch))
        let raw = "\\\\x61c3bf"
        #expect(encoded == "\(Self.runText)\t3\ts3://b/k.csv\t2\t0\tencoding.invalid_utf8\tinvalid UTF-8\tname\t\(raw)\trejected\n"
            + "\(Self.runText)\t3\ts3://b/k.csv\t2\t0\tiban.required\tiban is required\t\\N\t\(raw)\trejected\n")
    }

    @Test func encodedBufferIsNoLargerThanNeeded() throws {
        let rows = (0..<1000).map { ["value \($0)", "other \($0)"] }
        let batch = Self.batch(values: rows, raws: rows.map { $0.joined(separator: ",") })
        let buffer = try CopyEncoder(runID: Self.runID, columns: ["a", "b"]).encodeAccepted(batch)
        #expect(buffer.capacity < 2 * buffer.readableBytes, "the exact size, which ByteBuffer rounds up to a power of two")
        #expect(try Self.rows(buffer).count == 1000)
    }

    @Test func flagsOfAcceptedRowsAreWrittenAsFlaggedAndFlagsOfRejectedRowsAreNot() throws {
        var batch = Self.batch(values: [["DE89"], ["NL91"]], raws: ["DE89", "NL91"])
        batch.flag(row: 0, code: "vop.close_match", message: "close match", column: "name")
        batch.flag(row: 1, code: "vop.close_match", message: "close match")
        batch.reject(row: 1, code: "iban.checksum", message: "bad checksum", column: "iban")
        let encoder = CopyEncoder(runID: Self.runID, columns: ["iban"])
        #expect(CopyEncoder.rejectionColumns.last == "outcome")
        let rows = Self.text(encoder.encodeRejected(batch)).split(separator: "\n").map(String.init)
        #expect(rows.count == 2)
        #expect(rows[0].hasPrefix("\(Self.runText)\t3\ts3://b/k.csv\t3\t100\tiban.checksum\tbad checksum\tiban\t") && rows[0].hasSuffix("\trejected"))
        #expect(rows[1].hasPrefix("\(Self.runText)\t3\ts3://b/k.csv\t2\t0\tvop.close_match\tclose match\tname\t") && rows[1].hasSuffix("\tflagged"))
        #expect(try Self.rows(encoder.encodeAccepted(batch)).first?.prefix(4) == [Self.runText, "2", "0", "DE89"], "a flagged row is loaded")
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
