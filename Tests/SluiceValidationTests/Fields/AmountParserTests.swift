import Testing
@testable import SluiceValidation

struct AmountParserTests {
    @Test(arguments: [
        ("12.50", 1250), ("12,50", 1250), ("12,5", 1250), ("12", 1200), ("1.234,56", 123_456), ("1,234.56", 123_456),
        ("€12.50", 1250), ("12.50 €", 1250), ("€ 1.234,56", 123_456), ("$1,234.56", 123_456), ("£3", 300),
        ("  4999.99 ", 499_999), ("1 234,56", 123_456), ("1\u{00A0}234,56", 123_456), ("1'234.50", 123_450),
        ("1.234.567", 123_456_700), ("1,234,567.89", 123_456_789), ("-12.50", -1250), ("+7", 700), ("0.00", 0),
        ("50001.00", 5_000_100), ("1 234", 123_400),
    ])
    func readsEUAndUSFormats(_ input: String, _ cents: Int64) throws {
        let amount = try AmountParser.parse(input).get()
        #expect(amount.cents == cents)
    }

    @Test(arguments: ["abc", "12.5.5", "1O.50", "N/A", "12..50", "--12.50", "EUR", "12,3,4", "1 2 3", "12.", ".50",
                      "1.23.456", "1,234.567", "1234,567", "0,123", "12.345,6.7", "€", "12 €€"])
    func refusesMalformedAmounts(_ input: String) {
        #expect(throws: AmountParser.Failure.format) { try AmountParser.parse(input).get() }
    }

    @Test(arguments: ["1,234", "1.234", "12,500", "999.999"])
    func oneSeparatorBeforeThreeDigitsIsAmbiguous(_ input: String) throws {
        #expect(throws: AmountParser.Failure.ambiguous) { try AmountParser.parse(input).get() }
        let amount = try AmountParser.parse(input, ambiguous: .thousands).get()
        #expect(amount.cents % 100 == 0)
    }

    @Test func emptyIsItsOwnFailure() {
        #expect(throws: AmountParser.Failure.empty) { try AmountParser.parse("   ").get() }
    }

    @Test func symbolsNameTheirCurrency() throws {
        #expect(try AmountParser.parse("€12.50").get().symbolCurrency == "EUR")
        #expect(try AmountParser.parse("12.50 $").get().symbolCurrency == "USD")
        #expect(try AmountParser.parse("£12.50").get().symbolCurrency == "GBP")
        #expect(try AmountParser.parse("12.50").get().symbolCurrency == nil)
    }

    @Test func normalisedFormHasADotAndTwoDecimals() {
        #expect(ParsedAmount(cents: 123_456).normalized == "1234.56")
        #expect(ParsedAmount(cents: 5).normalized == "0.05")
        #expect(ParsedAmount(cents: -1250).normalized == "-12.50")
    }
}
