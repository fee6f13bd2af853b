import Testing
@testable import SluiceValidation

/// Random BBANs that follow each registry structure, with computed check digits, must validate;
/// changing one character must not.
struct IBANPropertyTests {
    struct SplitMix64: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let withoutNationalCheck = IBANRegistry.countries.filter { $0.nationalCheck == .none }

    static let digits = Array("0123456789")
    static let letters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ")

    static func randomBBAN(_ country: IBANCountry, using generator: inout SplitMix64) -> String {
        String(IBANTables.classes(of: country.bbanFormat).map { mask -> Character in
            switch mask {
            case IBANTables.Kind.digit: digits.randomElement(using: &generator) ?? "0"
            case IBANTables.Kind.letter: letters.randomElement(using: &generator) ?? "A"
            default: (digits + letters).randomElement(using: &generator) ?? "0"
            }
        })
    }

    @Test(arguments: withoutNationalCheck)
    func generatedIBANsValidateAndMutationsFail(_ country: IBANCountry) throws {
        var generator = SplitMix64(state: country.code.utf8.reduce(UInt64(17)) { $0 &* 31 &+ UInt64($1) })
        for _ in 0..<200 {
            let bban = Self.randomBBAN(country, using: &generator)
            let check = try #require(IBANValidator.checkDigits(country: country.code, bban: bban))
            let iban = country.code + check + bban
            let result = IBANValidator.validate(iban)
            #expect(result.isValid, "\(iban): \(result.message)")

            var bytes = Array(iban.utf8)
            let position = Int.random(in: 2..<bytes.count, using: &generator)
            // Same kind as the original: a digit for a letter inside a `c` field can slip past mod 97.
            let pool: [Character] = position < 4 || bytes[position] <= UInt8(ascii: "9") ? Self.digits : Self.letters
            let replacement = try #require(pool.filter { $0.asciiValue != bytes[position] }.randomElement(using: &generator)?.asciiValue)
            bytes[position] = replacement
            let mutated = String(decoding: bytes, as: UTF8.self)
            #expect(!IBANValidator.validate(mutated).isValid, "accepted \(mutated) from \(iban)")
        }
    }

    @Test func randomBytesNeverCrashAndRarelyPass() {
        var generator = SplitMix64(state: 42)
        var valid = 0
        for _ in 0..<20_000 {
            let count = Int.random(in: 0..<40, using: &generator)
            let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if bytes.withUnsafeBufferPointer({ IBANValidator.validate($0) }).isValid { valid += 1 }
        }
        #expect(valid == 0)
    }
}
