import SluiceReports
import Testing

struct IBANTextMaskerTests {
    @Test(arguments: [
        ("DE89370400440532013000", "DE89**************3000"),
        ("x,de89370400440532013000,y", "x,de89**************3000,y"),
        ("DE89 3704 0044 0532 0130 00 Berlin", "DE89 **** **** **** **30 00 Berlin"),
        ("MNDT-00000001,EXT-00000001,2020-10-25", "MNDT-00000001,EXT-00000001,2020-10-25"),
        ("AB12", "AB12"),
        ("", ""),
    ])
    func masksIBANShapedTokensOnly(text: String, masked: String) {
        #expect(IBANTextMasker.mask(text) == masked)
    }

    @Test func knownValuesAreMaskedEvenWhenTheyDoNotLookLikeIBANs() {
        let masked = IBANTextMasker.mask("a,DE89-3704-0044-0532-0130-00,b", knownValues: ["DE89-3704-0044-0532-0130-00"])
        #expect(masked == "a,DE89" + String(repeating: "*", count: 19) + "0-00,b")
    }

    @Test func shortKnownValuesAreNotSearchedFor() {
        #expect(IBANTextMasker.mask("1,2,X1,4", knownValues: ["X1"]) == "1,2,X1,4")
    }
}
