import SluiceCore
import Testing
@testable import SluiceStages

struct BlacklistKeyTests {
    @Test func ibanKeysAreTheSHA256OfTheCompactIBAN() throws {
        let (key, display) = try BlacklistKind.iban.normalize(" de89 3704 0044 0532 0130 00 ")
        // sha256("DE89370400440532013000"), computed independently with Python's hashlib.
        #expect(key == "faf7e1c0107370ff6f5d03205da7d8ae41ba8e22b31e94b986a65210075d9a1d")
        #expect(display == "DE89**************3000")
        #expect(try BlacklistKind.iban.normalize("sha256:" + key.uppercased()).key == key)
        #expect(IBANDigest(hex: key)?.hex == key)
    }

    @Test(arguments: [
        (BlacklistKind.iban, "DE89370400440532013001", "not a valid IBAN"),
        (.iban, "sha256:abc", "64 hex digits"),
        (.email, "no-at-sign", "@"),
        (.bic, "DEUT", "8 or 11"),
        (.bicPrefix, "D", "2 to 11"),
        (.name, " -- ", "no letters"),
        (.name, "", "empty"),
    ])
    func badValuesSayWhatIsWrong(kind: BlacklistKind, value: String, reason: String) {
        #expect {
            _ = try kind.normalize(value)
        } throws: { error in
            (error as? SluiceError)?.reason.contains(reason) == true
        }
    }

    @Test func bicsAreComparedInTheirElevenCharacterForm() throws {
        #expect(try BlacklistKind.bic.normalize("deut de ff").key == "DEUTDEFFXXX")
        #expect(try BlacklistKind.bic.normalize("DEUTDEFF500").key == "DEUTDEFF500")
        #expect(try BlacklistKind.bicPrefix.normalize("deut").key == "DEUT")
    }

    @Test(arguments: [
        ("Müller", "muller"),
        ("  José   María-López ", "jose maria lopez"),
        ("ŁUKASZ Żółć", "lukasz zolc"),
        ("Straße", "strasse"),
        ("Ærø O'Brien", "aero o brien"),
        ("ΑΛΕΞΑΝΔΡΟΣ Παπαδόπουλος", "αλεξανδροσ παπαδόπουλος"),
    ])
    func namesFoldToLowerCaseLettersWithoutAccents(name: String, folded: String) {
        #expect(NameFolding.fold(name) == folded)
    }

    @Test func firstAndLastNameFoldLikeTheWholeName() {
        var out: [UInt8] = []
        Array("Zoë".utf8).withUnsafeBufferPointer { NameFolding.append($0, to: &out) }
        Array(" Ångström ".utf8).withUnsafeBufferPointer { NameFolding.append($0, to: &out) }
        #expect(String(decoding: out, as: UTF8.self) == NameFolding.fold("Zoë Ångström"))
    }

    @Test func byteKeySetsAnswerExactly() {
        var set = ByteKeySet()
        set.insert(Array("DEUT".utf8))
        set.insert(Array("COBADE".utf8))
        set.insert(Array("DEUT".utf8))
        #expect(set.count == 2)
        #expect(set.contains(Array("DEUT".utf8)))
        #expect(!set.contains(Array("DEU".utf8)))
        #expect(set.lengths == [4, 6])
    }
}
