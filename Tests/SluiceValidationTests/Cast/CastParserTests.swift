import Testing
@testable import SluiceValidation

/// The byte-level parsers of the cast stage, one value at a time: what fits, its canonical
/// form, and what does not fit.
struct CastParserTests {
    /// The canonical form of `input` (the input itself when `cast` says it is canonical), or
    /// `nil` when it does not fit.
    static func canonical(_ input: String, _ cast: (UnsafeBufferPointer<UInt8>, inout [UInt8]) -> CastOutcome) -> String? {
        var output: [UInt8] = [9, 9]  // bytes already there stay
        let outcome = Array(input.utf8).withUnsafeBufferPointer { cast($0, &output) }
        #expect(output.prefix(2) == [9, 9])
        switch outcome {
        case .misfit:
            #expect(output.count == 2, "a misfit writes nothing")
            return nil
        case .canonical:
            #expect(output.count == 2, "a canonical value is not written again")
            return input
        case .appended:
            return String(decoding: output.dropFirst(2), as: UTF8.self)
        }
    }

    /// The outcome of `cast` on `input`.
    static func outcome(_ input: String, _ cast: (UnsafeBufferPointer<UInt8>, inout [UInt8]) -> CastOutcome) -> CastOutcome {
        var output: [UInt8] = []
        return Array(input.utf8).withUnsafeBufferPointer { cast($0, &output) }
    }

    // MARK: integer

    @Test(arguments: [
        ("0", "0"), ("42", "42"), ("-42", "-42"), ("+42", "42"), ("007", "7"), ("-0", "0"), ("-000", "0"),
        ("9223372036854775807", "9223372036854775807"), ("-9223372036854775808", "-9223372036854775808"),
        ("0009223372036854775807", "9223372036854775807"),
    ])
    func integersFit(_ input: String, _ expected: String) {
        #expect(Self.canonical(input) { IntegerCast.cast($0, to: &$1) } == expected)
    }

    @Test(arguments: ["9223372036854775808", "-9223372036854775809", "1.0", "1e3", "1,000", "1 000", "-", "+", "12a", "0x10", "١٢"])
    func nonIntegersDoNotFit(_ input: String) {
        #expect(Self.canonical(input) { IntegerCast.cast($0, to: &$1) } == nil)
    }

    // MARK: numeric

    @Test(arguments: [
        ("1234.56", "1234.56"), ("1234.5", "1234.50"), ("1234", "1234.00"), ("0", "0.00"), ("-0", "0.00"), ("-0.00", "0.00"),
        ("0.01", "0.01"), (".5", "0.50"), ("5.", "5.00"), ("+7.1", "7.10"), ("-12.30", "-12.30"), ("0009.99", "9.99"),
        ("9999999999.99", "9999999999.99"), ("-9999999999.99", "-9999999999.99"), ("1.2300", "1.23"), ("00000000000001.5", "1.50"),
    ])
    func decimalsFitNumeric12_2(_ input: String, _ expected: String) {
        let numeric = NumericCast(precision: 12, scale: 2)
        #expect(Self.canonical(input) { numeric.cast($0, to: &$1) } == expected)
    }

    @Test(arguments: ["12,5", "12,5x", "1.234,56", "1,234.56", "10000000000.00", "1.234", "0.001", "1e5", "NaN", "Infinity", "-", ".", "1.2.3", "€5", "5 EUR", "--5"])
    func otherTextDoesNotFitNumeric12_2(_ input: String) {
        let numeric = NumericCast(precision: 12, scale: 2)
        #expect(Self.canonical(input) { numeric.cast($0, to: &$1) } == nil)
    }

    @Test func scaleZeroAndScaleEqualToPrecision() {
        let whole = NumericCast(precision: 5, scale: 0)
        #expect(Self.canonical("12345") { whole.cast($0, to: &$1) } == "12345")
        #expect(Self.canonical("12.000") { whole.cast($0, to: &$1) } == "12", "zeros past the scale lose nothing")
        #expect(Self.canonical("12.5") { whole.cast($0, to: &$1) } == nil, "never rounded")
        #expect(Self.canonical("123456") { whole.cast($0, to: &$1) } == nil)
        let fraction = NumericCast(precision: 3, scale: 3)
        #expect(Self.canonical("0.125") { fraction.cast($0, to: &$1) } == "0.125")
        #expect(Self.canonical("1.000") { fraction.cast($0, to: &$1) } == nil, "no integer digit fits numeric(3,3)")
    }

    @Test func unconstrainedNumericKeepsTheDecimalsAsWritten() {
        let numeric = NumericCast(precision: nil, scale: 0)
        #expect(Self.canonical("1.50") { numeric.cast($0, to: &$1) } == "1.50")
        #expect(Self.canonical("-000123.4560") { numeric.cast($0, to: &$1) } == "-123.4560")
        #expect(Self.canonical("-0.0") { numeric.cast($0, to: &$1) } == "0.0")
        #expect(Self.canonical("12345678901234567890123456789") { numeric.cast($0, to: &$1) } == "12345678901234567890123456789")
        #expect(Self.canonical("1e3") { numeric.cast($0, to: &$1) } == nil)
    }

    // MARK: date

    @Test(arguments: [
        ("2024-02-29", "2024-02-29"), ("29.02.2024", "2024-02-29"), ("1999-12-31", "1999-12-31"), ("2000-01-01", "2000-01-01"),
        ("2100-02-28", "2100-02-28"), ("45356", "2024-03-05"), ("0001-01-01", "0001-01-01"), ("9999-12-31", "9999-12-31"),
    ])
    func datesInThePipelineFormatsFit(_ input: String, _ expected: String) {
        let date = DateCast(parser: DateParser())
        #expect(Self.canonical(input) { date.cast($0, to: &$1) } == expected)
    }

    @Test(arguments: ["2023-02-29", "2100-02-29", "2024-13-01", "2024-04-31", "yesterday", "2024-3", "31/31/2024"])
    func daysThatDoNotExistDoNotFit(_ input: String) {
        let date = DateCast(parser: DateParser())
        #expect(Self.canonical(input) { date.cast($0, to: &$1) } == nil)
    }

    @Test func onlyTheConfiguredFormatsAndTheCanonicalFormAreRead() throws {
        let date = DateCast(parser: DateParser(formats: [try DateFormat("d.m.Y")]))
        #expect(Self.canonical("05.03.2024") { date.cast($0, to: &$1) } == "2024-03-05")
        // The form validation hands role dates over in always fits; other formats do not.
        #expect(Self.canonical("2024-03-05") { date.cast($0, to: &$1) } == "2024-03-05")
        #expect(Self.canonical("05/03/2024") { date.cast($0, to: &$1) } == nil)
        #expect(Self.canonical("2024-02-30") { date.cast($0, to: &$1) } == nil)
    }

    // MARK: canonical values

    /// Values already in their canonical form are recognised as such, so the stage writes
    /// nothing for them; the others are written again.
    @Test func canonicalValuesAreRecognised() {
        let money = NumericCast(precision: 12, scale: 2)
        let exact = NumericCast(precision: nil, scale: 0)
        let date = DateCast(parser: DateParser())
        let outcomes: [(CastOutcome, CastOutcome)] = [
            (Self.outcome("1234.56") { money.cast($0, to: &$1) }, .canonical),
            (Self.outcome("-0.01") { money.cast($0, to: &$1) }, .canonical),
            (Self.outcome("0.00") { money.cast($0, to: &$1) }, .canonical),
            (Self.outcome("1234.5") { money.cast($0, to: &$1) }, .appended),
            (Self.outcome("01.00") { money.cast($0, to: &$1) }, .appended),
            (Self.outcome("-0.00") { money.cast($0, to: &$1) }, .appended),
            (Self.outcome(".50") { money.cast($0, to: &$1) }, .appended),
            (Self.outcome("+1.00") { money.cast($0, to: &$1) }, .appended),
            (Self.outcome("12") { exact.cast($0, to: &$1) }, .canonical),
            (Self.outcome("12.") { exact.cast($0, to: &$1) }, .appended),
            (Self.outcome("0.0") { exact.cast($0, to: &$1) }, .canonical),
            (Self.outcome("-42") { IntegerCast.cast($0, to: &$1) }, .canonical),
            (Self.outcome("0") { IntegerCast.cast($0, to: &$1) }, .canonical),
            (Self.outcome("-0") { IntegerCast.cast($0, to: &$1) }, .appended),
            (Self.outcome("042") { IntegerCast.cast($0, to: &$1) }, .appended),
            (Self.outcome("2024-02-29") { date.cast($0, to: &$1) }, .canonical),
            (Self.outcome("2023-02-29") { date.cast($0, to: &$1) }, .misfit),
            (Self.outcome("true") { BooleanCast.cast($0, to: &$1) }, .canonical),
            (Self.outcome("True") { BooleanCast.cast($0, to: &$1) }, .appended),
        ]
        for (index, (actual, expected)) in outcomes.enumerated() {
            #expect(actual == expected, "case \(index)")
        }
    }

    // MARK: timestamp

    @Test(arguments: [
        ("2024-03-05T12:30", "2024-03-05T12:30:00.000000Z"),
        ("2024-03-05 12:30:15", "2024-03-05T12:30:15.000000Z"),
        ("2024-03-05t12:30:15z", "2024-03-05T12:30:15.000000Z"),
        ("2024-03-05T12:30:15.5Z", "2024-03-05T12:30:15.500000Z"),
        ("2024-03-05T12:30:15.123456Z", "2024-03-05T12:30:15.123456Z"),
        ("2024-03-05T12:30:15+02:00", "2024-03-05T10:30:15.000000Z"),
        ("2024-03-05T12:30:15+0200", "2024-03-05T10:30:15.000000Z"),
        ("2024-03-05T01:00:00+02", "2024-03-04T23:00:00.000000Z"),
        ("2024-03-05T23:30:00-05:30", "2024-03-06T05:00:00.000000Z"),
        ("2024-02-28T23:59:59.999999-01:00", "2024-02-29T00:59:59.999999Z"),
        ("2024-03-05", "2024-03-05T00:00:00.000000Z"),
        ("1999-12-31T23:59:59Z", "1999-12-31T23:59:59.000000Z"),
        ("0001-01-01T00:00:00Z", "0001-01-01T00:00:00.000000Z"),
    ])
    func isoTimestampsFitInUTC(_ input: String, _ expected: String) {
        #expect(Self.canonical(input) { TimestampCast.cast($0, to: &$1) } == expected)
    }

    @Test(arguments: [
        "2024-03-05T24:00", "2024-03-05T12:60", "2024-03-05T12:30:60", "2024-02-30T00:00", "2024-03-05T12", "2024-03-05T12:30:15.1234567Z",
        "2024-03-05T12:30:15.", "2024-03-05T12:30+16:00", "2024-03-05T12:30 CET", "05.03.2024 12:30", "2024-03-05T12:30Zx",
        "0001-01-01T00:30:00+01:00", "9999-12-31T23:30:00-01:00", "1709641815",
    ])
    func otherTimesDoNotFit(_ input: String) {
        #expect(Self.canonical(input) { TimestampCast.cast($0, to: &$1) } == nil)
    }

    // MARK: boolean

    @Test(arguments: [
        ("true", "true"), ("TRUE", "true"), ("t", "true"), ("Yes", "true"), ("y", "true"), ("1", "true"),
        ("false", "false"), ("False", "false"), ("F", "false"), ("no", "false"), ("N", "false"), ("0", "false"),
    ])
    func booleanSpellingsFit(_ input: String, _ expected: String) {
        #expect(Self.canonical(input) { BooleanCast.cast($0, to: &$1) } == expected)
    }

    @Test(arguments: ["2", "on", "off", "yess", "tru", "nope", "-1", "truefalse"])
    func otherWordsAreNotBooleans(_ input: String) {
        #expect(Self.canonical(input) { BooleanCast.cast($0, to: &$1) } == nil)
    }
}
