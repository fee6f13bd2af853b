import SluiceCore
import SluiceReports
import Testing

struct RejectedRowBuilderTests {
    static let layout = ReportLayout(
        format: .csv, sourceColumns: ["id", "Name", "Konto (IBAN)", "amount"],
        columnSources: ["external_id": 0, "last_name": 1, "iban": 2, "amount": 3])

    @Test func splitsTheRawRecordAndMasksTheIBANColumnAndTheRawText() {
        let builder = RejectedRowBuilder(layout: Self.layout)
        let row = builder.row(line: 7, batch: 0, raw: Array("1,\"Doe, Jane\",DE89370400440532013000,12.5x".utf8),
                              reasons: [RejectionReason(code: "amount.invalid", message: "amount is not a number", column: "amount")])
        #expect(row.values == ["1", "Doe, Jane", "DE89**************3000", "12.5x"])
        #expect(row.raw == "1,\"Doe, Jane\",DE89**************3000,12.5x")
        #expect(row.failingColumns == [3])
        #expect(row.reasonCodes == "amount.invalid")
    }

    @Test func unmaskedReportsShowIBANsInClear() {
        let builder = RejectedRowBuilder(layout: Self.layout, masksIBANs: false)
        let row = builder.row(line: 2, batch: 0, raw: Array("1,Doe,DE89370400440532013000,1".utf8), reasons: [])
        #expect(row.values[2] == "DE89370400440532013000")
        #expect(row.raw.contains("DE89370400440532013000"))
    }

    @Test func anIBANShiftedIntoAnotherColumnByARaggedRecordIsStillMasked() {
        let builder = RejectedRowBuilder(layout: Self.layout)
        let row = builder.row(line: 3, batch: 1, raw: Array("1,DE89 3704 0044 0532 0130 00,x,y,z".utf8),
                              reasons: [RejectionReason(code: "csv.ragged", message: "expected 4 fields, found 5")])
        #expect(row.values[1] == "DE89 **** **** **** **30 00")
        #expect(!row.raw.contains("3704"))
        #expect(row.failingColumns.isEmpty, "a reason without a column highlights nothing")
    }

    @Test func failingCellsComeFromTheColumnMapOrTheSourceHeader() {
        let builder = RejectedRowBuilder(layout: Self.layout)
        let reasons = [
            RejectionReason(code: "iban.checksum", message: "m", column: "iban"),
            RejectionReason(code: "name.invalid_characters", message: "m", column: "Name"),
            RejectionReason(code: "x.y", message: "m", column: "no_such_column"),
            RejectionReason(code: "csv.ragged", message: "m", column: nil),
        ]
        let row = builder.row(line: 4, batch: 0, raw: Array("1,a,b,c".utf8), reasons: reasons)
        #expect(row.failingColumns == [1, 2])
        #expect(row.reasonCodes == "iban.checksum; name.invalid_characters; x.y; csv.ragged")
        #expect(row.messages == "m; m; m; m")
    }

    @Test func missingFieldsAreEmptyAndInvalidUTF8NeverCrashes() {
        let builder = RejectedRowBuilder(layout: Self.layout)
        let row = builder.row(line: 5, batch: 0, raw: [0x31, 0x2C, 0xFF], reasons: [])
        #expect(row.values == ["1", "\u{FFFD}", "", ""])
        #expect(row.raw == "1,\u{FFFD}")
    }

    @Test func aRunWithoutALayoutShowsOnlyTheRawRecord() {
        let row = RejectedRowBuilder(layout: .unknown).row(line: 9, batch: 0, raw: Array("a,b".utf8), reasons: [])
        #expect(row.values.isEmpty)
        #expect(row.raw == "a,b")
        #expect(ReportLayout.unknown.columns == ["line", "reason_codes", "messages", "reason_columns", "row_iban", "row_amount", "raw"])
    }

    @Test func ibanColumnsAreTheMappedOneAndAnyHeaderNamedIBAN() {
        let layout = ReportLayout(format: .xlsx, sourceColumns: ["IBAN", "account", "i.b.a.n"], sheet: "Debtors", columnSources: ["iban": 1])
        #expect(layout.ibanColumns == [0, 1, 2])
        #expect(layout.columns == ["sheet", "sheet_row", "reason_codes", "messages", "reason_columns", "row_iban", "row_amount", "raw", "IBAN", "account", "i.b.a.n"])
        #expect(layout.ibanSourceColumn == 1, "the mapped column before a header named IBAN")
    }

    @Test func theRowsIBANAndAmountComeFromTheMappedColumnsOrHeadersOfThatName() {
        let mapped = ReportLayout(format: .csv, sourceColumns: ["id", "sum", "note", "konto"], columnSources: ["iban": 3, "amount": 1])
        #expect(mapped.ibanSourceColumn == 3)
        #expect(mapped.amountSourceColumn == 1)
        let byName = ReportLayout(format: .csv, sourceColumns: ["id", "Amount", "I.B.A.N"])
        #expect(byName.ibanSourceColumn == 2)
        #expect(byName.amountSourceColumn == 1)
        #expect(ReportLayout.unknown.ibanSourceColumn == nil && ReportLayout.unknown.amountSourceColumn == nil)

        let row = RejectedRowBuilder(layout: mapped).row(
            line: 4, batch: 0, raw: Array("7,12.5x,x,DE89370400440532013000".utf8),
            reasons: [RejectionReason(code: "amount.invalid", message: "amount is not a number", column: "amount"),
                      RejectionReason(code: "iban.checksum", message: "bad IBAN", column: "iban"),
                      RejectionReason(code: "amount.range", message: "too small", column: "amount"),
                      RejectionReason(code: "csv.ragged", message: "ragged")])
        #expect(mapped.leadingValues(of: row) == [
            "amount.invalid; iban.checksum; amount.range; csv.ragged", "amount is not a number; bad IBAN; too small; ragged",
            "amount; iban", "DE89**************3000", "12.5x", "7,12.5x,x,DE89**************3000",
        ])
    }
}
