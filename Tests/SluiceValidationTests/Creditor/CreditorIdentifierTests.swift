import Testing
@testable import SluiceValidation

struct CreditorIdentifierTests {
    @Test(arguments: ["DE98ZZZ09999999999", "de98 zzz 0999 9999 999", "FR72ZZZ123456", "AT61ZZZ01234567890", "ES59ZZZX1234567L", "IT66ZZZA1B2C3D4E5F6G7H8", "BE69ZZZ050D000000008"])
    func acceptsValidIdentifiers(_ input: String) {
        #expect(CreditorIdentifierValidator.validate(input) == .none)
    }

    @Test func businessCodeIsNotPartOfTheCheck() {
        #expect(CreditorIdentifierValidator.validate("DE98ABC09999999999") == .none)
    }

    @Test(arguments: [
        ("DE97ZZZ09999999999", CreditorIdentifierValidator.Problem.checksum),
        ("DE98ZZZ", .format), ("D198ZZZ09999999999", .format), ("DEXXZZZ09999999999", .format),
        ("DE98ZZZ0999999999999999999999999999999", .format), ("DE98-ZZZ-0999", .format),
        ("US98ZZZ09999999999", .country), ("TR98ZZZ09999999999", .country),
    ])
    func refusesInvalidIdentifiers(_ input: String, _ problem: CreditorIdentifierValidator.Problem) {
        #expect(CreditorIdentifierValidator.validate(input) == problem)
        #expect(problem.code?.rawValue.hasPrefix("creditor_id.") == true)
    }
}
