import Testing
@testable import SluiceValidation

struct BICValidatorTests {
    @Test(arguments: ["DEUTDEFF", "DEUTDEFF500", "deutdeff", " NWBK GB 2L ", "1234DEFFXXX"])
    func acceptsISO9362Forms(_ input: String) {
        #expect(BICValidator.validate(input).isValid)
    }

    @Test(arguments: [
        ("DEUTDEF", BICResult.Problem.length), ("DEUTDEFF50", .length), ("DEUTDEFF5000", .length),
        ("DEUT12FF", .country), ("DEUTXXFF", .country), ("DEUT-DEFF", .characters),
    ])
    func refusesOtherForms(_ input: String, _ problem: BICResult.Problem) {
        let result = BICValidator.validate(input)
        #expect(result.problem == problem)
        #expect(result.code == "bic.format")
    }

    @Test func emptyIsNotAFormatError() {
        #expect(BICValidator.validate("  ").problem == .empty)
        #expect(BICValidator.validate("").code == nil)
    }

    @Test func countryMustMatchTheIBANsAllowingTerritories() throws {
        let de = try #require(IBANRegistry.country(code: "DE"))
        let fr = try #require(IBANRegistry.country(code: "FR"))
        let re = try #require(IBANRegistry.country(code: "RE"))
        let gb = try #require(IBANRegistry.country(code: "GB"))
        #expect(BICValidator.validate("DEUTDEFF").matches(de))
        #expect(!BICValidator.validate("BNPAFRPP").matches(de))
        #expect(BICValidator.validate("BNPAFRPP").matches(re))     // RE IBAN, FR BIC
        #expect(BICValidator.validate("BFCORERX").matches(fr))     // FR IBAN, RE BIC
        #expect(BICValidator.validate("RBOSJESH").matches(gb))     // GB IBAN, JE BIC
        #expect(!BICValidator.validate("RBOSJESH").matches(fr))
        #expect(BICValidator.validate("CHASUS33").countryCode == "US")
    }
}
