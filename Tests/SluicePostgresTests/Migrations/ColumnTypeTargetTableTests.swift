import SluiceCore
import Testing

@testable import SluicePostgres

/// How a declared column type is compared with, and changed in, a target table that exists.
struct ColumnTypeTargetTableTests {
    @Test(arguments: [
        (ColumnType.numeric(precision: 12, scale: 2), "numeric(12,2)", true), (.numeric(precision: 12, scale: 2), "numeric(12,3)", false),
        (.numeric(precision: 12, scale: 2), "text", false), (.numeric(precision: nil, scale: 0), "numeric", true), (.integer, "bigint", true),
        (.integer, "integer", false), (.timestamp, "timestamp with time zone", true), (.timestamp, "timestamp without time zone", false),
        (.date, "date", true), (.boolean, "boolean", true), (.text, "text", true), (.iban, "text", true), (.email, "character varying(254)", true),
        (.text, "numeric(12,2)", false), (.date, "text", false),
    ])
    func aColumnFitsItsDeclarationOrNot(_ type: ColumnType, _ current: String, _ fits: Bool) {
        #expect(type.fits(currentType: current) == fits)
    }

    @Test func theMismatchNamesBothTypesAndTheStatementThatChangesTheColumn() throws {
        let table = try TableName("sales.debtors")
        let error = ColumnType.date.mismatch(table: table, column: "mandate_date", currentType: "text")
        #expect(error.code == .invalidPipeline)
        #expect(error.column == "mandate_date")
        #expect(error.reason == "target table sales.debtors: column mandate_date is text in the table but the pipeline declares date; "
            + "nothing was loaded. Change the column first, for example: "
            + "ALTER TABLE \"sales\".\"debtors\" ALTER COLUMN \"mandate_date\" TYPE date USING nullif(btrim(\"mandate_date\"), '')::date")
        #expect(ColumnType.timestamp.mismatch(table: table, column: "at", currentType: "text").reason
            .contains("is text in the table but the pipeline declares timestamp (timestamp with time zone); "))
        #expect(ColumnType.text.alterStatement(table: table, column: "amount", currentType: "numeric(12,2)")
            == "ALTER TABLE \"sales\".\"debtors\" ALTER COLUMN \"amount\" TYPE text USING \"amount\"::text")
    }
}
