import Foundation
import NIOCore
import SluiceCore
import Testing

@testable import SluicePostgres

/// The binary COPY forms of typed columns, byte for byte (PostgreSQL's own reading of them is
/// checked in IntegrationTests/TypedCopyTests).
struct TypedCopyEncoderTests {
    /// The bytes of each typed field of the first row (after run id, line and offset), `nil` for NULL.
    static func fields(_ values: [String], types: [ColumnType]) throws -> [[UInt8]?] {
        let columns = values.indices.map { "c\($0)" }
        let batch = CopyEncoderTests.batch(values: [values], raws: ["raw"])
        var buffer = try CopyEncoder(runID: CopyEncoderTests.runID, columns: columns, types: types, keepRaw: false).encodeAccepted(batch)
        buffer.moveReaderIndex(forwardBy: 19)
        let fieldCount = buffer.readInteger(as: Int16.self)
        let count = try #require(fieldCount)
        #expect(Int(count) == 3 + values.count)
        var fields: [[UInt8]?] = []
        for field in 0..<Int(count) {
            let lengthWord = buffer.readInteger(as: Int32.self)
            let length = try #require(lengthWord)
            let bytes = length < 0 ? nil : buffer.readBytes(length: Int(length))
            if field >= 3 { fields.append(bytes) }
        }
        let trailer = buffer.readInteger(as: Int16.self)
        #expect(trailer == -1, "the trailer follows the row")
        #expect(buffer.readableBytes == 0)
        return fields
    }

    static func int16s(_ values: [Int16]) -> [UInt8] { values.flatMap { [UInt8(truncatingIfNeeded: $0 >> 8), UInt8(truncatingIfNeeded: $0)] } }
    static func int32(_ value: Int32) -> [UInt8] { withUnsafeBytes(of: value.bigEndian) { Array($0) } }
    static func int64(_ value: Int64) -> [UInt8] { withUnsafeBytes(of: value.bigEndian) { Array($0) } }

    /// numeric: ndigits, weight, sign, dscale, base-10000 digits.
    @Test(arguments: [
        ("1234.56", [2, 0, 0, 2, 1234, 5600]),
        ("0.01", [1, -1, 0, 2, 100]),
        ("-12345.6", [3, 1, 0x4000, 1, 1, 2345, 6000]),
        ("0.00", [0, 0, 0, 2]),
        ("10000.00", [1, 1, 0, 2, 1]),
        ("9999999999.99", [4, 2, 0, 2, 99, 9999, 9999, 9900]),
        ("0.00001", [1, -2, 0, 5, 1000]),
        ("120000", [1, 1, 0, 0, 12]),
    ] as [(String, [Int16])])
    func numericsAreBase10000Digits(_ text: String, _ expected: [Int16]) throws {
        #expect(try Self.fields([text], types: [.numeric(precision: nil, scale: 0)]) == [Self.int16s(expected)])
    }

    @Test func datesAreDaysSince2000() throws {
        let fields = try Self.fields(["2000-01-01", "1999-12-31", "2024-02-29", "2100-03-01", "0001-01-01"], types: Array(repeating: .date, count: 5))
        #expect(fields == [Self.int32(0), Self.int32(-1), Self.int32(8825), Self.int32(36584), Self.int32(-730_119)])
    }

    @Test func timestampsAreMicrosecondsSince2000InUTC() throws {
        let fields = try Self.fields(["2000-01-01T00:00:00.000001Z", "1999-12-31T23:59:59.000000Z", "2024-03-05T11:30:00.500000Z"],
                                     types: [.timestamp, .timestamp, .timestamp])
        #expect(fields == [Self.int64(1), Self.int64(-1_000_000), Self.int64((8830 * 86_400 + 11 * 3600 + 30 * 60) * 1_000_000 + 500_000)])
    }

    @Test func integersBooleansAndTextTypes() throws {
        let fields = try Self.fields(["-9223372036854775808", "true", "false", "DE89370400440532013000", ""],
                                     types: [.integer, .boolean, .boolean, .iban, .integer])
        #expect(fields == [Self.int64(.min), [1], [0], Array("DE89370400440532013000".utf8), nil])
    }

    @Test func aValueNotInItsCanonicalFormFailsTheBatchWithoutShowingIt() throws {
        for (value, type) in [("12,50", ColumnType.numeric(precision: 12, scale: 2)), ("05.03.2024", .date), ("yes", .boolean),
                              ("2024-03-05T11:30Z", .timestamp), ("1e3", .integer), ("2023-02-29", .date)] {
            let batch = CopyEncoderTests.batch(values: [[value]], raws: ["r"])
            let error = try #require(throws: SluiceError.self) {
                try CopyEncoder(runID: CopyEncoderTests.runID, columns: ["amount"], types: [type]).encodeAccepted(batch)
            }
            #expect(error.code == .internalError)
            #expect(error.column == "amount" && error.line == 2)
            #expect(!error.description.contains(value), "row data stays out of the message")
        }
    }

    @Test func theBufferHoldsTheLongestTypedForms() throws {
        let values = ["-99999999999999999999.99999999", "9999-12-31T23:59:59.999999Z", "9999-12-31", "false", "9223372036854775807"]
        let batch = CopyEncoderTests.batch(values: [values, values], raws: ["a", "b"])
        let buffer = try CopyEncoder(runID: CopyEncoderTests.runID, columns: ["a", "b", "c", "d", "e"],
                                     types: [.numeric(precision: nil, scale: 0), .timestamp, .date, .boolean, .integer], keepRaw: false).encodeAccepted(batch)
        // Per row: field count, run id, line, offset, five length words, then numeric (8 + 7
        // groups of 2), timestamptz, date, boolean, bigint.
        #expect(buffer.readableBytes == 19 + 2 * (2 + 20 + 24 + 5 * 4 + 22 + 8 + 4 + 1 + 8) + 2)
    }
}
