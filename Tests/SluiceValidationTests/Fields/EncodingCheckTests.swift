import Testing
@testable import SluiceValidation

struct EncodingCheckTests {
    @Test(arguments: ["JosÃ©", "BrandÃ£o", "MÃ¼ller", "WeiÃŸ", "Å\u{0081}ukasz", "O\u{00E2}\u{20AC}\u{2122}Brien", "\u{FFFD}kesson", "Niccol\u{FFFD}",
                      "Anna\u{0007}", "Anna\nSmith", "Anna\u{0085}"])
    func findsBrokenNames(_ name: String) {
        #expect(EncodingCheck.isBroken(name))
    }

    @Test(arguments: ["José", "Brandão", "Ångström", "Ölçüm", "Παπαδόπουλος", "D’Angelo", "Ñuñez", "ÉLODIE", "Rue de la Paix 5, Bât. B"])
    func acceptsCleanText(_ text: String) {
        #expect(!EncodingCheck.isBroken(text))
    }

    @Test func addressesMayHoldLineBreaks() {
        #expect(!EncodingCheck.isBroken("Hauptstraße 1\nHinterhaus", allowLineBreaks: true))
        #expect(EncodingCheck.isBroken("Hauptstraße 1\u{0000}", allowLineBreaks: true))
    }

    @Test func invalidUTF8IsBroken() {
        let bytes: [UInt8] = [0x4A, 0x6F, 0x73, 0xE9]
        #expect(bytes.withUnsafeBufferPointer { EncodingCheck.isBroken($0, allowLineBreaks: false) })
    }

    @Test func theEightByteFastPathAgreesWithTheByteLoopForEveryByteAtEveryPosition() {
        for byte in 0...255 {
            for position in 0..<8 {
                var word: UInt64 = 0x4141_4141_4141_4141   // "AAAAAAAA"
                word &= ~(UInt64(0xFF) << (8 * UInt64(position)))
                word |= UInt64(byte) << (8 * UInt64(position))
                let printable = byte >= 0x20 && byte <= 0x7E
                #expect(EncodingCheck.isPrintableASCII(word) == printable, "byte \(byte) at \(position)")
            }
        }
        // A control character after eight clean bytes is still found.
        #expect(EncodingCheck.isBroken("Abcdefghij\u{0007}k"))
        #expect(EncodingCheck.isBroken("AbcdefghJosÃ©"))
    }
}
