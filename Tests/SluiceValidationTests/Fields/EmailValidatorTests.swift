import Testing
@testable import SluiceValidation

struct EmailValidatorTests {
    @Test(arguments: ["anna.muller@example.com", "o'brien+tag@mail.example.co.uk", "  x@ex.de ", "jürgen@bücher.example", "a@xn--80ak6aa92e.xn--p1ai",
                      "first_last-1@sub-domain.example.org"])
    func acceptsAddresses(_ input: String) {
        #expect(EmailValidator.isValid(input))
    }

    @Test(arguments: ["janisdejong75@@example.com", "kirsten.holm@", "m .schafer@web.example.org", "@example.com", "no-at-sign.example.com",
                      "a@b", "a@-b.com", "a@b-.com", "a..b@example.com", ".a@example.com", "a.@example.com", "a@example.c", "a@example.123",
                      "a@exa mple.com", "a@example..com", "\"quoted\"@example.com"])
    func refusesMalformedAddresses(_ input: String) {
        #expect(!EmailValidator.isValid(input))
    }
}
