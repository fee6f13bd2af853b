import SluiceCore
import Testing
@testable import SluiceValidation

struct IBANValidatorTests {
    @Test(arguments: [
        "DE89 3704 0044 0532 0130 00",
        "de89370400440532013000",
        "  DE89370400440532013000\t",
        "IBAN DE89 3704 0044 0532 0130 00",
        "iban:DE89370400440532013000",
        "DE89\u{00A0}3704\u{00A0}0044\u{00A0}0532\u{00A0}0130\u{00A0}00",
    ])
    func normalisesPrintedAndLowerCaseForms(_ input: String) {
        let result = IBANValidator.validate(input)
        #expect(result.isValid)
        #expect(!result.isCompact)
        #expect(IBANValidator.compact(input) == "DE89370400440532013000")
    }

    @Test func compactInputNeedsNoRewrite() {
        #expect(IBANValidator.validate("DE89370400440532013000").isCompact)
    }

    @Test func printFormatGroupsByFour() {
        #expect(IBANValidator.printFormat("de89370400440532013000") == "DE89 3704 0044 0532 0130 00")
        #expect(IBANValidator.printFormat("BE68539007547034") == "BE68 5390 0754 7034")
    }

    @Test func lengthMessageNamesCountryExpectedAndFound() {
        let result = IBANValidator.validate("DE8937040044053201300")
        #expect(result.status == .wrongLength)
        #expect(result.code == "iban.length")
        #expect(result.message == "IBAN for DE must be 22 characters, found 21")
        #expect(IBANValidator.validate("DE893704004405320130001").message == "IBAN for DE must be 22 characters, found 23")
    }

    @Test(arguments: ["XX89370400440532013000", "QZ82111905354850", "12345678", "D"])
    func unknownCountryIsCaught(_ input: String) {
        let result = IBANValidator.validate(input)
        #expect(result.code == "iban.country")
    }

    @Test func unknownCountryMessageNamesTheCode() {
        #expect(IBANValidator.validate("XX66LHUJ19342678392472").message == "IBAN is invalid: unknown country code XX")
    }

    @Test(arguments: [
        ("DE1456703P305627806430", 9),    // a letter where DE has digits (from the samples)
        ("NL83BCYN76808595R1", 16),
        ("NL9112NA0417164300", 4),        // digits where NL's bank code has letters
        ("GB29NWBK6016133192681A", 21),
    ])
    func structureIsCheckedPerPosition(_ input: String, _ position: Int) {
        let result = IBANValidator.validate(input)
        #expect(result.status == .wrongStructure)
        #expect(result.code == "iban.structure")
        #expect(result.failurePosition == UInt8(position))
    }

    @Test func structureMessageSaysWhatIsExpected() {
        #expect(IBANValidator.validate("DE1456703P305627806430").message == "IBAN for DE must have a digit at position 10 (format DE2!n8!n10!n)")
        #expect(IBANValidator.validate("DEAB370400440532013000").message == "IBAN is invalid: check digits must be two digits")
    }

    @Test(arguments: ["DE89-3704-0044-0532-0130-00", "DE89370400440532013000.", "DE89/370400440532013000", "DÉ89370400440532013000"])
    func foreignCharactersAreStructureErrors(_ input: String) {
        let result = IBANValidator.validate(input)
        #expect(result.status == .invalidCharacter)
        #expect(result.code == "iban.structure")
    }

    @Test(arguments: ["DE00370400440532013000", "DE01370400440532013000", "DE99370400440532013000", "NL00LGVV3654653320", "AT990629639276741209"])
    func aliasCheckDigitsAreRefused(_ input: String) {
        let result = IBANValidator.validate(input)
        #expect(result.status == .aliasCheckDigits)
        #expect(result.code == "iban.alias_check_digits")
    }

    /// 00 ≡ 97, 01 ≡ 98 and 99 ≡ 02 (mod 97): for a BBAN whose real check digits are 97, 98 or 02,
    /// the alias passes the mod-97 test, and must still be refused.
    @Test(arguments: [("97", "00"), ("98", "01"), ("02", "99")])
    func aliasIsRefusedEvenWhenModulo97Passes(_ real: String, _ alias: String) throws {
        let bban = try #require((0..<100_000).lazy.map { n -> String in
            let suffix = String(n)
            return "3704004405320" + String(repeating: "0", count: 5 - suffix.count) + suffix
        }.first { IBANValidator.checkDigits(country: "DE", bban: $0) == real })
        #expect(IBANValidator.validate("DE" + real + bban).isValid)
        let result = IBANValidator.validate("DE" + alias + bban)
        #expect(result.status == .aliasCheckDigits)
        #expect(result.message == "IBAN is invalid: check digits 00, 01 and 99 are not allowed")
    }

    @Test(arguments: ["DE81606929091273383488", "NL79PDSK0725318650", "CY35631170200000002804754950", "DE88370400440532013000"])
    func wrongCheckDigitsAreCaught(_ input: String) {
        let result = IBANValidator.validate(input)
        #expect(result.status == .wrongChecksum)
        #expect(result.code == "iban.checksum")
    }

    @Test(arguments: ["", "   ", "\t"])
    func emptyIsRequired(_ input: String) {
        let result = IBANValidator.validate(input)
        #expect(result.status == .empty)
        #expect(result.code == "iban.required")
    }

    /// Mod 97-10 catches every substitution of a digit by a digit and of a letter by a letter;
    /// a digit where the format wants a letter (or the reverse) is caught by the structure check.
    /// A digit swapped for a letter inside a `c` field changes the number's length, which mod 97
    /// does not always catch, and no IBAN check can: those are left out.
    @Test(arguments: IBANRegistry.countries)
    func everySingleSubstitutionIsCaught(_ country: IBANCountry) {
        let example = Array(country.example.utf8)
        let classes = [IBANTables.Kind.letter, IBANTables.Kind.letter, IBANTables.Kind.digit, IBANTables.Kind.digit]
            + IBANTables.classes(of: country.bbanFormat)
        let kind = { (byte: UInt8) in byte <= UInt8(ascii: "9") ? IBANTables.Kind.digit : IBANTables.Kind.letter }
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8)
        var missed: [String] = []
        var tried = 0
        for position in example.indices {
            for replacement in alphabet where replacement != example[position] {
                if classes[position] == IBANTables.Kind.digit | IBANTables.Kind.letter && kind(replacement) != kind(example[position]) {
                    continue
                }
                var changed = example
                changed[position] = replacement
                let text = String(decoding: changed, as: UTF8.self)
                tried += 1
                if IBANValidator.validate(text).isValid { missed.append(text) }
            }
        }
        #expect(tried > 0)
        #expect(missed.isEmpty, "accepted \(missed.prefix(5))")
    }

    @Test func adjacentDigitTranspositionsAreCaught() {
        var missed: [String] = []
        let isDigit = { (byte: UInt8) in byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        for country in IBANRegistry.countries {
            var example = Array(country.example.utf8)
            for position in 0..<(example.count - 1) where example[position] != example[position + 1] && isDigit(example[position]) && isDigit(example[position + 1]) {
                example.swapAt(position, position + 1)
                let text = String(decoding: example, as: UTF8.self)
                if IBANValidator.validate(text).isValid { missed.append(text) }
                example.swapAt(position, position + 1)
            }
        }
        #expect(missed.isEmpty, "accepted \(missed.prefix(5))")
    }

    @Test func worksOnBytesWithoutAString() {
        let bytes = Array("GB29 NWBK 6016 1331 9268 19".utf8)
        let result = bytes.withUnsafeBufferPointer { IBANValidator.validate($0) }
        #expect(result.isValid)
        #expect(result.country?.code == "GB")
        #expect(result.isSEPA)
    }

    @Test func nonSEPACountryIsValidButFlagged() {
        let result = IBANValidator.validate("TR330006100519786457841326")
        #expect(result.isValid)
        #expect(!result.isSEPA)
    }

    @Test func checkDigitsAreComputed() {
        #expect(IBANValidator.checkDigits(country: "GB", bban: "NWBK60161331926819") == "29")
        #expect(IBANValidator.checkDigits(country: "DE", bban: "3704-0044") == nil)
    }
}
