import Testing
@testable import SluiceValidation

struct IBANRegistryTests {
    @Test func sepaScopeHas41CountriesAndItsTerritories() {
        // EPC409-09 after Serbia joined (22 May 2025): EU 27, EEA 3, CH GB MC SM VA AD, AL ME MD MK RS.
        let territories: Set = ["AX", "BL", "GF", "GP", "MF", "MQ", "PM", "RE", "YT", "GI", "GG", "IM", "JE"]
        let sepa = IBANRegistry.countries.filter(\.isSEPA).map(\.code)
        #expect(sepa.filter { !territories.contains($0) }.count == 41)
        #expect(Set(sepa.filter { territories.contains($0) }) == territories)
    }

    @Test func holdsEveryRegistryCountryAndTheTerritories() {
        let codes = IBANRegistry.countries.map(\.code)
        #expect(codes.count == 105)
        #expect(codes.count - IBANRegistry.countries.filter { $0.parent != nil }.count == 89)
        #expect(codes == codes.sorted())
        for territory in ["AX", "GF", "GP", "MQ", "RE", "PF", "TF", "YT", "NC", "BL", "MF", "PM", "WF", "IM", "JE", "GG"] {
            #expect(codes.contains(territory), "missing \(territory)")
        }
    }

    @Test(arguments: IBANRegistry.countries)
    func registryExampleIsValid(_ country: IBANCountry) {
        let result = IBANValidator.validate(country.example)
        #expect(result.isValid, "\(country.code): \(result.message)")
        #expect(result.country == country)
        #expect(country.example.utf8.count == country.length)
        #expect(IBANTables.classes(of: country.bbanFormat).count == country.bbanLength)
    }

    @Test(arguments: IBANRegistry.countries.filter { $0.parent != nil })
    func territorySharesItsParentsFormat(_ territory: IBANCountry) throws {
        let parent = try #require(IBANRegistry.country(code: territory.parent ?? ""))
        #expect(territory.length == parent.length)
        #expect(territory.bbanFormat == parent.bbanFormat)
        #expect(territory.nationalCheck == parent.nationalCheck)
    }

    @Test func knowsLengthsAndFormatsFromTheDomainNotes() throws {
        let expected: [(String, Int, String)] = [
            ("DE", 22, "8!n10!n"), ("FR", 27, "5!n5!n11!c2!n"), ("NL", 18, "4!a10!n"), ("BE", 16, "3!n7!n2!n"),
            ("IT", 27, "1!a5!n5!n12!c"), ("ES", 24, "4!n4!n1!n1!n10!n"), ("GB", 22, "4!a6!n8!n"),
        ]
        for (code, length, format) in expected {
            let country = try #require(IBANRegistry.country(code: code))
            #expect(country.length == length)
            #expect(country.bbanFormat == format)
        }
        #expect(IBANRegistry.country(code: "XX") == nil)
        #expect(IBANRegistry.country(code: "D") == nil)
    }

    @Test func sepaFlagsFollowTheEPCList() throws {
        for code in ["DE", "FR", "CH", "GB", "SM", "VA", "MC", "AD", "RE", "GF", "YT", "JE", "GG", "IM", "GI", "AX", "IS", "LI", "NO", "AL", "ME", "MD", "MK", "RS"] {
            #expect(try #require(IBANRegistry.country(code: code)).isSEPA, "\(code) should be in SEPA")
        }
        for code in ["NC", "PF", "WF", "TF", "TR", "BR", "SA", "AE", "BA", "FO", "GL", "XK"] {
            #expect(try !#require(IBANRegistry.country(code: code)).isSEPA, "\(code) should be outside SEPA")
        }
    }

    @Test func namesBankAndBranchPositions() throws {
        let gb = try #require(IBANRegistry.country(code: "GB"))
        #expect(gb.name == "United Kingdom")
        #expect(gb.bankCode == 0..<4)
        #expect(gb.branchCode == 4..<10)
        let de = try #require(IBANRegistry.country(code: "DE"))
        #expect(de.bankCode == 0..<8)
        #expect(de.branchCode == nil)
        #expect(de.ibanFormat == "DE2!n8!n10!n")
        #expect(try #require(IBANRegistry.country(code: "RE")).rulesCountry == "FR")
    }
}
