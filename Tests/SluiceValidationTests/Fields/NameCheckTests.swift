import Testing
@testable import SluiceValidation

struct NameCheckTests {
    @Test(arguments: ["José", "Muñoz", "Weiß", "Łukasz", "Søren Ørsted", "O'Brien", "van 't Hof", "Müller-Lüdenscheid", "de la Fontaine",
                      "St. John", "D’Angelo", "Ελένη", "Παπαδόπουλος", "Nguyễn", "Jose\u{0301}", "Col·lecció"])
    func acceptsLettersOfLatinAndGreekScripts(_ name: String) {
        #expect(!NameCheck.hasInvalidCharacters(name))
    }

    @Test(arguments: ["John3", "Anna@", "R2-D2", "Jane_Doe", "Иван", "王", "Smith, John", "😀", "A×B"])
    func refusesOtherCharacters(_ name: String) {
        #expect(NameCheck.hasInvalidCharacters(name))
    }

    @Test func commaIsAllowedInFullNamesAndCyrillicOnRequest() {
        #expect(!NameCheck.hasInvalidCharacters("Smith, John", allowComma: true))
        #expect(!NameCheck.hasInvalidCharacters("Иван", scripts: [.latin, .cyrillic]))
        #expect(NameCheck.hasInvalidCharacters("José", scripts: [.greek]))
    }

    @Test func lengthCountsCharactersNotBytes() {
        #expect(NameCheck.characterCount("Ölçüm") == 5)
        #expect(NameCheck.characterCount("Jose\u{0301}") == 4)
        #expect(NameCheck.characterCount(String(repeating: "é", count: 35)) == 35)
        #expect(NameCheck.characterCount("Παπαδόπουλος") == 12)
    }

    @Test(arguments: [("Smith, John", "John", "Smith"), ("John Smith", "John", "Smith"), ("Anna Maria de la Fontaine", "Anna", "Maria de la Fontaine"),
                      ("  Madonna  ", "Madonna", ""), ("van 't Hof ,  Jan ", "Jan", "van 't Hof")])
    func splitsFullNames(_ full: String, _ first: String, _ last: String) {
        let parts = FullNameSplitter.split(full)
        #expect(parts.first == first)
        #expect(parts.last == last)
    }
}
