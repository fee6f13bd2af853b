import Foundation
import Testing
@testable import SluiceValidation

struct ValidationRulesTests {
    @Test func defaultsAreTheOperators() {
        let rules = ValidationRules()
        #expect(rules.minimumAmountCents == 10)
        #expect(rules.maximumAmountCents == 5_000_000)
        #expect(rules.currencies == ["EUR"])
        #expect(rules.nameMaxLength == 35)
        #expect(rules.required == [.iban, .amount, .name])
        #expect(rules.dateFormats.map(\.pattern) == ["excel", "Y-m-d", "d.m.Y", "d/m/Y", "m/d/Y", "d-m-Y", "Y/m/d", "d.m.y", "d/m/y"])
        #expect(rules.sepaOnly && rules.mandateDateNotInFuture && rules.nationalCheckDigits && rules.fillCountryFromIBAN)
        #expect(rules.column(for: .firstName) == "first_name")
    }

    @Test func decodesSnakeCaseKeysAndKeepsDefaultsForTheRest() throws {
        let json = """
            {"columns": {"iban": "account_iban", "name": "debtor_name"}, "required": ["iban", "email"],
             "amount": {"min": 1.99, "max": 99.99, "ambiguous_separator": "thousands"}, "currencies": ["eur", "CHF"],
             "name_max_length": 40, "date_formats": ["Y-m-d", "m/d/Y"], "sepa_only": false, "name_scripts": ["latin", "cyrillic"]}
            """
        let rules = try JSONDecoder().decode(ValidationRules.self, from: Data(json.utf8))
        #expect(rules.column(for: .iban) == "account_iban")
        #expect(rules.column(for: .name) == "debtor_name")
        #expect(rules.required == [.iban, .email])
        #expect(rules.minimumAmountCents == 199)
        #expect(rules.maximumAmountCents == 9999)
        #expect(rules.ambiguousSeparator == .thousands)
        #expect(rules.currencies == ["EUR", "CHF"])
        #expect(rules.nameMaxLength == 40)
        #expect(rules.fullNameMaxLength == 70)
        #expect(rules.dateFormats.map(\.pattern) == ["Y-m-d", "m/d/Y"])
        #expect(!rules.sepaOnly)
        #expect(rules.nameScripts == [.latin, .cyrillic])
        #expect(rules.mandateDateNotInFuture)
    }

    @Test func emptySectionIsTheDefaults() throws {
        #expect(try JSONDecoder().decode(ValidationRules.self, from: Data("{}".utf8)) == ValidationRules())
    }

    @Test(arguments: [
        #"{"date_formats": ["Y-m"]}"#, #"{"columns": {"ibn": "x"}}"#, #"{"amount": {"min": 10, "max": 1}}"#,
        #"{"currencies": ["EURO"]}"#, #"{"name_scripts": ["klingon"]}"#, #"{"required": ["nope"]}"#,
    ])
    func refusesInvalidRules(_ json: String) {
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(ValidationRules.self, from: Data(json.utf8)) }
    }
}
