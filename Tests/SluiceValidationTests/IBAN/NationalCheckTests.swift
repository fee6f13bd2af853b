import Testing
@testable import SluiceValidation

struct NationalCheckTests {
    /// The countries the issue asks for, plus MR and TN and two territories.
    static let required = ["BE", "FR", "MC", "ES", "IT", "SM", "PT", "FI", "NO", "EE", "PL", "CZ", "SK", "IS",
                           "BA", "ME", "MK", "RS", "SI", "TL"]

    @Test func everyRequiredCountryHasFixtures() {
        let covered = Set(nationalCheckFixtures.map(\.country))
        for country in Self.required {
            #expect(covered.contains(country), "no fixture for \(country)")
            #expect(IBANRegistry.country(code: country)?.nationalCheck != NationalCheck.none, "\(country) has no national check")
        }
    }

    @Test(arguments: nationalCheckFixtures)
    func validNationalCheckDigitsPass(_ fixture: (country: String, valid: String, invalid: String)) {
        let result = IBANValidator.validate(fixture.valid)
        #expect(result.isValid, "\(fixture.valid): \(result.message)")
    }

    @Test(arguments: nationalCheckFixtures)
    func oneChangedDigitFailsTheNationalCheck(_ fixture: (country: String, valid: String, invalid: String)) {
        let result = IBANValidator.validate(fixture.invalid)
        #expect(result.status == .wrongNationalChecksum, "\(fixture.invalid): \(result.message)")
        #expect(result.code == "iban.national_checksum")
        #expect(IBANValidator.validate(fixture.invalid, nationalCheck: false).isValid)
    }

    /// Published examples with known national check digits.
    @Test(arguments: [
        ("BE68539007547034", true),                // 5390075470 mod 97 = 34
        ("BE68539007547035", false),
        ("FR1420041010050500013M02606", true),     // RIB key 06
        ("ES9121000418450200051332", true),        // DC 45
        ("IT60X0542811101000000123456", true),     // CIN X
        ("FI2112345600000785", true),              // Luhn
        ("NO9386011117947", true),                 // mod 11
        ("EE382200221020145685", true),            // 7-3-1
        ("PL61109010140000071219812874", true),    // bank code check digit 4
        ("CZ6508000000192000145399", true),        // prefix and account mod 11
        ("IS140159260076545510730339", true),      // kennitala 5510730339
        ("PT50000201231234567890154", true),       // NIB mod 97
        ("SI56263300012039086", true),
    ])
    func publishedExamples(_ iban: String, _ valid: Bool) {
        let result = IBANValidator.validate(iban)
        if valid {
            #expect(result.isValid, "\(iban): \(result.message)")
        } else {
            #expect(!result.isValid)
        }
    }

    @Test func algorithmsWorkOnBBANStrings() {
        #expect(NationalCheck.belgium.isValid(bban: "539007547034"))
        #expect(!NationalCheck.belgium.isValid(bban: "539007547043"))
        #expect(NationalCheck.italy.isValid(bban: "X0542811101000000123456"))
        #expect(!NationalCheck.italy.isValid(bban: "Y0542811101000000123456"))
        #expect(NationalCheck.none.isValid(bban: "anything"))
    }

    @Test func norwegianZeroAccountsUseTheLastFourDigits() {
        // 1234 00 1117 x: the full check wants 10 (impossible); over 1117 alone (weights 5432) it is 7.
        #expect(NationalCheck.norway.isValid(bban: "12340011177"))
        #expect(!NationalCheck.norway.isValid(bban: "12340011178"))
    }
}
