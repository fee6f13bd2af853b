import SluiceCore
import Testing
@testable import SluiceValidation

/// The cast stage over mapped batches: canonical values, NULL for blanks, and rejections with
/// `<column>.type`.
struct TypeCastStageTests {
    static let header = ["id", "amount", "day", "at", "paid", "count", "iban", "bic", "email", "note"]
    static let columns = [
        ColumnSpec(name: "id"), ColumnSpec(name: "amount", type: .numeric(precision: 12, scale: 2)), ColumnSpec(name: "day", type: .date),
        ColumnSpec(name: "at", type: .timestamp), ColumnSpec(name: "paid", type: .boolean), ColumnSpec(name: "count", type: .integer),
        ColumnSpec(name: "iban", type: .iban), ColumnSpec(name: "bic", type: .bic), ColumnSpec(name: "email", type: .email),
        ColumnSpec(name: "note"),
    ]

    static func cast(_ rows: [[String]]) throws -> RecordBatch {
        var batch = try BatchBuilder.batch(header: header, rows: rows, required: [])
        try TypeCastStage(columns: columns).cast(&batch)
        return batch
    }

    static func values(_ batch: RecordBatch, row: Int) -> [String] {
        (0..<batch.columnCount).map { BatchBuilder.value(batch, row: row, column: $0) }
    }

    @Test func valuesThatFitAreWrittenCanonically() throws {
        let batch = try Self.cast([
            ["1", "12.5", "05.03.2024", "2024-03-05 12:30+01:00", "Yes", "+0042", " de89 3704 0044 0532 0130 00 ", "deutdeff", " ada@example.org ", " as is "],
        ])
        #expect(batch.rejections.isEmpty)
        #expect(Self.values(batch, row: 0) == [
            "1", "12.50", "2024-03-05", "2024-03-05T11:30:00.000000Z", "true", "42", "DE89370400440532013000", "DEUTDEFF", "ada@example.org", " as is ",
        ])
    }

    @Test func canonicalValuesAreLeftWhereTheyAre() throws {
        let row = ["1", "1234.56", "2024-03-05", "2024-03-05T11:30:00.000000Z", "true", "-7", "DE89370400440532013000", "DEUTDEFF", "a@b.de", "x"]
        var batch = try BatchBuilder.batch(header: Self.header, rows: [row], required: [])
        let arenaBefore = batch.arena.count
        let spans = (0..<batch.columnCount).map { batch.valueSpan(row: 0, column: $0) }
        try TypeCastStage(columns: Self.columns).cast(&batch)
        #expect(batch.arena.count == arenaBefore, "nothing appended for values already canonical")
        #expect((0..<batch.columnCount).map { batch.valueSpan(row: 0, column: $0) } == spans)
    }

    @Test func blankValuesBecomeNull() throws {
        let batch = try Self.cast([["1", "  ", "", "\t", " ", "", "", "", "", " "]])
        #expect(batch.rejections.isEmpty)
        #expect(batch.status == [.accepted])
        #expect(Self.values(batch, row: 0) == ["1", "", "", "", "", "", "", "", "", " "], "a text column keeps its blank")
    }

    @Test func aValueThatDoesNotFitRejectsItsRowWithTheColumnsTypeCode() throws {
        let batch = try Self.cast([
            ["1", "12,5x", "2023-02-29", "", "", "", "", "", "", ""],
            ["2", "1.00", "", "", "maybe", "", "", "", "", ""],
            ["3", "", "", "", "", "", "", "", "", ""],
        ])
        #expect(batch.status == [.rejected, .rejected, .accepted])
        let reasons = batch.rejections.map { "\($0.row) \($0.code) \($0.column ?? "-"): \($0.message)" }
        #expect(reasons == [
            "0 amount.type amount: amount '12,5x' does not fit numeric(12,2)",
            "0 day.type day: day '2023-02-29' does not fit date",
            "1 paid.type paid: paid 'maybe' does not fit boolean",
        ])
    }

    @Test func anIBANThatDoesNotFitIsMaskedInTheMessage() throws {
        let batch = try Self.cast([["1", "", "", "", "", "", "DE89370400440532013001", "", "", ""]])
        let rejection = try #require(batch.rejections.first)
        #expect(rejection.code == "iban.type")
        #expect(rejection.message == "iban 'DE89**************3001' does not fit iban")
        #expect(!rejection.message.contains("0400440532013"))
    }

    @Test func aLongValueIsCutShortInTheMessage() throws {
        let long = String(repeating: "9", count: 200)
        let batch = try Self.cast([["1", "", "", "", "", long, "", "", "", ""]])
        let message = try #require(batch.rejections.first?.message)
        #expect(message == "count '\(String(repeating: "9", count: 40))…' does not fit integer")
    }

    @Test func aColumnAnEarlierStageRejectedIsNotReportedAgain() throws {
        var batch = try BatchBuilder.batch(header: Self.header, rows: [["1", "abc", "", "", "", "", "XX00", "", "", ""]], required: [])
        batch.reject(row: 0, code: "iban.country", message: "IBAN country code is not valid", column: "iban")
        try TypeCastStage(columns: Self.columns).cast(&batch)
        #expect(batch.rejections.map(\.code.rawValue) == ["iban.country", "amount.type"], "other columns of the row are still checked")
    }

    @Test func textOnlyPipelinesHaveNothingToCast() throws {
        let stage = TypeCastStage(columns: Self.header.map { ColumnSpec(name: $0) })
        #expect(!stage.hasTypedColumns)
        var batch = try BatchBuilder.batch(header: Self.header, rows: [["1", "12,5x", "x", "x", "x", "x", "x", "x", "x", "x"]], required: [])
        let before = Self.values(batch, row: 0)
        try stage.cast(&batch)
        #expect(Self.values(batch, row: 0) == before)
        #expect(batch.rejections.isEmpty)
    }

    @Test func valuesValidationNormalisedFitTheirTypes() throws {
        // What the validate stage leaves in the shipped pipeline's typed columns.
        var batch = try BatchBuilder.batch(
            header: BatchBuilder.debtorColumns,
            rows: [["E1", "Ada", "Lovelace", "Ada@Example.org", "de89 3704 0044 0532 0130 00", "deutdeff", "1234,5", "", "M1", "5.3.2024", "", "", "", ""]])
        try ValidationStage(columns: BatchBuilder.debtorColumns).validate(&batch)
        #expect(batch.rejections.isEmpty)
        let typed: [String: ColumnType] = ["email": .email, "iban": .iban, "bic": .bic, "amount": .numeric(precision: 12, scale: 2), "mandate_date": .date]
        let specs = BatchBuilder.debtorColumns.map { ColumnSpec(name: $0, type: typed[$0] ?? .text) }
        let arenaBefore = batch.arena.count
        try TypeCastStage(columns: specs).cast(&batch)
        #expect(batch.rejections.isEmpty)
        #expect(batch.arena.count == arenaBefore, "validated values are already canonical")
        #expect(BatchBuilder.value(batch, row: 0, column: 6) == "1234.50")
        #expect(BatchBuilder.value(batch, row: 0, column: 9) == "2024-03-05")
    }

    @Test func aBatchMappedOntoOtherColumnsIsAnError() throws {
        var batch = try BatchBuilder.batch(header: ["a", "b"], rows: [["1", "2"]], required: [])
        #expect(throws: SluiceError.self) { try TypeCastStage(columns: Self.columns).cast(&batch) }
    }
}
