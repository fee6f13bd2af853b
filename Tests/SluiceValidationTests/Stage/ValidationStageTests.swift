import SluiceCore
import Testing
@testable import SluiceValidation

struct ValidationStageTests {
    static let today = CalendarDate(year: 2026, month: 11, day: 21) ?? CalendarDate(daysSinceEpoch: 0)
    static let columns = BatchBuilder.debtorColumns

    static let clean: [String: String] = [
        "external_id": "E1", "first_name": "José", "last_name": "Müller-Lüdenscheid", "email": "jose@example.com",
        "iban": "DE89370400440532013000", "bic": "DEUTDEFF", "amount": "12.50", "currency": "EUR", "mandate_id": "M1",
        "mandate_date": "2024-03-05", "address": "Hauptstraße 1", "city": "Köln", "postcode": "50667", "country": "DE",
    ]

    static func row(_ changes: [String: String] = [:]) -> [String] {
        columns.map { changes[$0] ?? clean[$0] ?? "" }
    }

    static func run(_ rows: [[String]], rules: ValidationRules = ValidationRules(), required: Set<String> = ["external_id", "iban", "amount"]) throws -> RecordBatch {
        var batch = try BatchBuilder.batch(header: columns, rows: rows, required: required)
        try ValidationStage(columns: columns, rules: rules, today: today).validate(&batch)
        return batch
    }

    static func codes(_ batch: RecordBatch, row: Int = 0) -> [String] {
        batch.rejections.filter { $0.row == Int32(row) }.map(\.code.rawValue).sorted()
    }

    @Test func cleanRowIsAccepted() throws {
        let batch = try Self.run([Self.row()])
        #expect(batch.rejections.isEmpty)
        #expect(batch.status == [.accepted])
    }

    static let nationalFixture = nationalCheckFixtures.first { $0.country == "BE" }?.invalid ?? ""

    /// One test per field rule: the change, and the one code it must produce.
    @Test(arguments: [
        (["iban": ""], "iban.required"),
        (["iban": "DE8937040044053201300"], "iban.length"),
        (["iban": "XX89370400440532013000"], "iban.country"),
        (["iban": "DE1456703P305627806430"], "iban.structure"),
        (["iban": "DE88370400440532013000"], "iban.checksum"),
        (["iban": "DE99370400440532013000"], "iban.alias_check_digits"),
        (["iban": nationalFixture, "bic": ""], "iban.national_checksum"),
        (["iban": "TR330006100519786457841326", "bic": ""], "iban.not_sepa"),
        (["bic": "DEUT"], "bic.format"),
        (["bic": "BNPAFRPP"], "bic.country_mismatch"),
        (["first_name": ""], "name.required"),
        (["last_name": "  "], "name.required"),
        (["first_name": String(repeating: "é", count: 36)], "name.too_long"),
        (["last_name": "42"], "name.invalid_characters"),
        (["first_name": "JosÃ©"], "encoding.broken"),
        (["last_name": "\u{FFFD}kesson"], "encoding.broken"),
        (["city": "K\u{0001}ln"], "encoding.broken"),
        (["amount": ""], "amount.required"),
        (["amount": "12.5.5"], "amount.format"),
        (["amount": "1,234"], "amount.format"),
        (["amount": "0.09"], "amount.min"),
        (["amount": "50000.01"], "amount.max"),
        (["currency": "USD"], "currency.unsupported"),
        (["amount": "$12.50"], "currency.mismatch"),
        (["mandate_date": "2023-02-30"], "date.invalid"),
        (["mandate_date": "2031-01-04"], "date.future"),
        (["email": "janisdejong75@@example.com"], "email.format"),
    ])
    func eachRuleReportsItsCode(_ changes: [String: String], _ code: String) throws {
        let batch = try Self.run([Self.row(changes)])
        #expect(Self.codes(batch) == [code])
        #expect(batch.status == [.rejected])
    }

    @Test func messagesFollowTheOperatorsWording() throws {
        let batch = try Self.run([
            Self.row(["first_name": String(repeating: "a", count: 36)]), Self.row(["amount": "0.05"]), Self.row(["amount": "60000"]),
            Self.row(["email": "x@"]), Self.row(["iban": "TR330006100519786457841326", "bic": ""]), Self.row(["last_name": "BrandÃ£o"]),
            Self.row(["iban": "DE8937040044053201300"]),
        ])
        let messages = batch.rejections.map(\.message)
        #expect(messages == [
            "First name cannot exceed 35 characters", "Amount must be at least 0.10", "Amount exceeds maximum limit (50,000)",
            "Email format is invalid", "Country TR is not in SEPA zone", "Last name contains encoding issues (broken characters)",
            "IBAN for DE must be 22 characters, found 21",
        ])
        #expect(batch.rejections.map(\.column) == ["first_name", "amount", "amount", "email", "iban", "last_name", "iban"])
    }

    @Test func messagesNeverHoldTheRowsValues() throws {
        let batch = try Self.run([Self.row(["iban": "DE88370400440532013000", "email": "secret.person@", "first_name": "Secret9"])], rules: Self.rejecting)
        #expect(batch.rejections.count == 3)
        for rejection in batch.rejections {
            #expect(!rejection.message.contains("370400"))
            #expect(!rejection.message.contains("secret"))
            #expect(!rejection.message.contains("Secret"))
        }
    }

    @Test func everyFailedFieldOfARowIsReported() throws {
        let batch = try Self.run([Self.row(["iban": "DE88370400440532013000", "email": "nope", "amount": "abc", "mandate_date": "2031-05-01", "first_name": ""])])
        #expect(Self.codes(batch) == ["amount.format", "date.future", "email.format", "iban.checksum", "name.required"])
    }

    static var rejecting: ValidationRules {
        var rules = ValidationRules()
        rules.nameCharacters = .reject
        return rules
    }

    @Test func namesOutsideTheSEPASetAreNormalisedAndFlaggedByDefault() throws {
        let batch = try Self.run([
            Self.row(["first_name": "John \"Johnny\"", "last_name": "O\u{201C}Brien\u{201D} 2nd"]),
            Self.row(["first_name": "José"]),
        ])
        #expect(batch.status == [.accepted, .accepted])
        #expect(batch.rejections.isEmpty)
        #expect(batch.flags.map(\.code.rawValue) == ["first_name.normalised", "last_name.normalised"])
        #expect(batch.flags.allSatisfy { $0.row == 0 })
        #expect(batch.flags.map(\.column) == ["first_name", "last_name"])
        let first = try #require(Self.columns.firstIndex(of: "first_name"))
        let last = try #require(Self.columns.firstIndex(of: "last_name"))
        #expect(BatchBuilder.value(batch, row: 0, column: first) == "John Johnny")
        #expect(BatchBuilder.value(batch, row: 0, column: last) == "OBrien nd")
        #expect(BatchBuilder.value(batch, row: 1, column: first) == "José")
    }

    @Test func aNormalisedFullNameIsSplitFromItsNewSpelling() throws {
        var batch = try BatchBuilder.batch(header: ["external_id", "name", "first_name", "last_name", "iban", "amount"],
                                           rows: [["E1", "Dupont, \"Jeanne\" 🙂", "", "", "DE89370400440532013000", "10"]], required: [])
        let columns = ["external_id", "name", "first_name", "last_name", "iban", "amount"]
        try ValidationStage(columns: columns, rules: ValidationRules(), today: Self.today).validate(&batch)
        #expect(batch.status == [.accepted])
        #expect(batch.flags.map(\.code.rawValue) == ["name.normalised"])
        #expect(BatchBuilder.value(batch, row: 0, column: 1) == "Dupont, Jeanne")
        #expect(BatchBuilder.value(batch, row: 0, column: 2) == "Jeanne")
        #expect(BatchBuilder.value(batch, row: 0, column: 3) == "Dupont")
    }

    @Test func characterPolicyRejectKeepsTheOldRule() throws {
        let batch = try Self.run([Self.row(["last_name": "Müller2"])], rules: Self.rejecting)
        #expect(Self.codes(batch) == ["name.invalid_characters"])
        #expect(batch.flags.isEmpty)
    }

    @Test func aNameWithNoLetterLeftIsRejectedEvenWhenNormalising() throws {
        let batch = try Self.run([Self.row(["first_name": "\"123\""])])
        #expect(Self.codes(batch) == ["name.invalid_characters"])
    }

    @Test(arguments: [
        ("John \"Johnny\" Smith", "John Johnny Smith"),
        ("Anne–Marie", "Anne-Marie"),
        ("Jean_Luc / Pierre", "Jean Luc Pierre"),
        ("  Zoë\tvan der Berg  ", "Zoë van der Berg"),
        ("O’Neil 🍀", "O’Neil"),
        ("Σοφία «Σόφη»", "Σοφία Σόφη"),
    ])
    func normaliserSpelling(_ input: String, _ expected: String) {
        #expect(NameNormalizer.normalise(input, scripts: [.latin, .greek]) == expected)
    }

    @Test func normaliserHasNothingForSymbolsAlone() {
        #expect(NameNormalizer.normalise("\"#1\"") == nil)
        #expect(NameNormalizer.normalise("Smith, John", allowComma: true) == "Smith, John")
        #expect(NameNormalizer.normalise("Smith, John") == "Smith John")
    }

    @Test func oneIBANFailurePerRow() throws {
        // Wrong length and wrong check digits: only the first failure in checking order.
        let batch = try Self.run([Self.row(["iban": "DE0037040044053201300"])])
        #expect(Self.codes(batch) == ["iban.length"])
    }

    @Test func requiredIsNotReportedTwice() throws {
        let mapped = try Self.run([Self.row(["iban": "", "amount": ""])])
        #expect(Self.codes(mapped) == ["amount.required", "iban.required"])
        // When the pipeline does not mark the columns required, the stage reports them, once.
        let unmapped = try Self.run([Self.row(["iban": "", "amount": ""])], required: [])
        #expect(Self.codes(unmapped) == ["amount.required", "iban.required"])
        let optional = try Self.run([Self.row(["iban": ""])], rules: ValidationRules(required: [.amount]), required: [])
        #expect(Self.codes(optional).isEmpty)
    }

    @Test func normalisedValuesAreWrittenBackOnlyWhenDifferent() throws {
        var batch = try BatchBuilder.batch(header: Self.columns, rows: [
            Self.row(["iban": "de89 3704 0044 0532 0130 00", "bic": "deut deff", "amount": "€1.234,56", "currency": "eur",
                      "mandate_date": "05.03.2024", "country": ""]),
            Self.row(),
        ])
        let before = (batch.valueStarts, batch.valueEnds, batch.arena.count)
        try ValidationStage(columns: Self.columns, today: Self.today).validate(&batch)
        #expect(batch.rejections.isEmpty)
        func value(_ row: Int, _ name: String) -> String {
            BatchBuilder.value(batch, row: row, column: Self.columns.firstIndex(of: name) ?? 0)
        }
        #expect(value(0, "iban") == "DE89370400440532013000")
        #expect(value(0, "bic") == "DEUTDEFF")
        #expect(value(0, "amount") == "1234.56")
        #expect(value(0, "currency") == "EUR")
        #expect(value(0, "mandate_date") == "2024-03-05")
        #expect(value(0, "country") == "DE")
        #expect(value(0, "first_name") == "José")
        // The clean row points where it pointed before: nothing was appended for it.
        let cleanRow = Self.columns.count
        #expect(Array(batch.valueStarts[cleanRow...]) == Array(before.0[cleanRow...]))
        #expect(Array(batch.valueEnds[cleanRow...]) == Array(before.1[cleanRow...]))
        #expect(batch.arena.count - before.2 == 22 + 8 + 7 + 3 + 10 + 2)
    }

    @Test func fullNameIsSplitWithoutCopying() throws {
        let header = ["external_id", "name", "iban", "amount"]
        let columns = ["external_id", "name", "first_name", "last_name", "iban", "amount"]
        var batch = try BatchBuilder.batch(header: header, rows: [
            ["E1", "Smith, John", "DE89370400440532013000", "12.50"],
            ["E2", "Anna Maria de la Fontaine", "DE89370400440532013000", "12.50"],
            ["E3", "Madonna", "DE89370400440532013000", "12.50"],
            ["E4", "", "DE89370400440532013000", "12.50"],
        ], columns: columns)
        let arenaCount = batch.arena.count
        try ValidationStage(columns: columns, today: Self.today).validate(&batch)
        #expect(batch.arena.count == arenaCount)
        #expect(BatchBuilder.value(batch, row: 0, column: 2) == "John")
        #expect(BatchBuilder.value(batch, row: 0, column: 3) == "Smith")
        #expect(BatchBuilder.value(batch, row: 1, column: 2) == "Anna")
        #expect(BatchBuilder.value(batch, row: 1, column: 3) == "Maria de la Fontaine")
        #expect(batch.rejections.map(\.message) == ["Last name is required", "Name is required"])
        #expect(batch.rejections.map(\.row) == [2, 3])
    }

    @Test func rowsTheDecoderRejectedAreSkipped() throws {
        var batch = try BatchBuilder.batch(header: Self.columns, rows: [Self.row(), Self.row()])
        // A row rejected before mapping has no values.
        let columnCount = batch.columnCount
        for column in 0..<columnCount {
            batch.valueStarts[columnCount + column] = 0
            batch.valueEnds[columnCount + column] = 0
        }
        batch.reject(row: 1, code: .csvRagged, message: "expected 14 fields, found 3")
        try ValidationStage(columns: Self.columns, today: Self.today).validate(&batch)
        #expect(batch.rejections.map(\.code) == [.csvRagged])
    }

    @Test func missingColumnsSkipTheirRules() throws {
        let columns = ["external_id", "iban"]
        var batch = try BatchBuilder.batch(header: columns, rows: [["E1", "DE89370400440532013000"]])
        try ValidationStage(columns: columns, today: Self.today).validate(&batch)
        #expect(batch.rejections.isEmpty)
    }

    @Test func rolesCanUseOtherColumnNames() throws {
        let columns = ["ref", "account", "sum", "given", "family"]
        var rules = ValidationRules()
        rules.columnNames = [.iban: "account", .amount: "sum", .firstName: "given", .lastName: "family"]
        var batch = try BatchBuilder.batch(header: columns, rows: [["R1", "DE88370400440532013000", "0.01", "Ann", ""]], required: [])
        try ValidationStage(columns: columns, rules: rules, today: Self.today).validate(&batch)
        #expect(Self.codes(batch) == ["amount.min", "iban.checksum", "name.required"])
        #expect(batch.rejections.map(\.column) == ["account", "family", "sum"])
    }

    @Test func policiesCanBeRelaxed() throws {
        var rules = ValidationRules()
        rules.sepaOnly = false
        rules.nationalCheckDigits = false
        rules.ambiguousSeparator = .thousands
        rules.mandateDateNotInFuture = false
        rules.currencies = ["EUR", "USD"]
        let batch = try Self.run([
            Self.row(["iban": "TR330006100519786457841326", "bic": ""]), Self.row(["iban": Self.nationalFixture, "bic": ""]),
            Self.row(["amount": "1,234"]), Self.row(["mandate_date": "2031-01-04"]), Self.row(["currency": "usd"]),
        ], rules: rules)
        #expect(batch.rejections.isEmpty)
    }

    @Test func emptyCurrencyTakesTheSymbolsOrTheDefault() throws {
        var batch = try BatchBuilder.batch(header: Self.columns, rows: [Self.row(["currency": ""]), Self.row(["currency": "", "amount": "£5"])])
        try ValidationStage(columns: Self.columns, today: Self.today).validate(&batch)
        let currency = Self.columns.firstIndex(of: "currency") ?? 0
        #expect(BatchBuilder.value(batch, row: 0, column: currency) == "EUR")
        #expect(Self.codes(batch, row: 1) == ["currency.unsupported"])
    }

    @Test func greekNamesAreAccepted() throws {
        let batch = try Self.run([Self.row(["first_name": "Ελένη", "last_name": "Παπαδοπούλου", "iban": "GR1601101250000000012300695", "bic": "ETHNGRAA"])])
        #expect(batch.rejections.isEmpty)
    }

    @Test func aBatchMappedOntoOtherColumnsIsAnError() throws {
        var batch = try BatchBuilder.batch(header: ["external_id", "iban"], rows: [["E1", "DE89370400440532013000"]])
        #expect(throws: SluiceError.self) { try ValidationStage(columns: Self.columns, today: Self.today).validate(&batch) }
        var empty = RecordBatch(sequence: 0, object: SourceObject(uri: "memory://empty", etag: "", size: 0), startOffset: 0)
        try ValidationStage(columns: Self.columns, today: Self.today).validate(&empty)
    }

    @Test func processIsTheAsyncEntryPoint() async throws {
        var batch = try BatchBuilder.batch(header: Self.columns, rows: [Self.row(["amount": "abc"])])
        let stage = ValidationStage(columns: Self.columns, today: Self.today)
        try await stage.process(&batch)
        #expect(stage.name == "validate")
        #expect(Self.codes(batch) == ["amount.format"])
    }
}
