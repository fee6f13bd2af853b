import Testing
@testable import SluiceValidation

/// The grade a pair of names should get, without the score.
enum ExpectedGrade: Sendable {
    case match, close, none

    init(_ match: NameMatch) {
        switch match {
        case .match: self = .match
        case .closeMatch: self = .close
        case .noMatch: self = .none
        }
    }
}

/// Two ways of writing a payee's name, and the grade each account type should give them.
struct NamePair: Sendable, CustomTestStringConvertible {
    let a: String
    let b: String
    let individual: ExpectedGrade
    let company: ExpectedGrade

    init(_ a: String, _ b: String, _ individual: ExpectedGrade, _ company: ExpectedGrade) {
        self.a = a
        self.b = b
        self.individual = individual
        self.company = company
    }

    var testDescription: String { "\"\(a)\" / \"\(b)\"" }

    static let table: [NamePair] = [
        // Diacritics to the SEPA Latin set
        NamePair("Müller", "Mueller", .match, .match),
        NamePair("Müller", "Muller", .match, .match),
        NamePair("José García", "Jose Garcia", .match, .match),
        NamePair("Weiß", "Weiss", .match, .match),
        NamePair("Łukasz Nowak", "Lukasz Nowak", .match, .match),
        NamePair("Søren Ørsted", "Soren Orsted", .match, .match),
        NamePair("Ștefan Dumitrașcu", "Stefan Dumitrascu", .match, .match),
        NamePair("Jose\u{0301} Nu\u{0303}n\u{0303}ez", "José Núñez", .match, .match),
        NamePair("Παπαδόπουλος Γιώργος", "ΓΙΩΡΓΟΣ ΠΑΠΑΔΟΠΟΥΛΟΣ", .match, .match),
        // Case, punctuation and word order
        NamePair("Smith, John", "John Smith", .match, .match),
        NamePair("Max Mustermann", "MUSTERMANN MAX", .match, .match),
        NamePair("Jean-Pierre Dupont", "Jean Pierre Dupont", .match, .match),
        NamePair("O'Brien, Seán", "Sean OBrien", .match, .match),
        // Initials: close, never exact
        NamePair("J. Smith", "John Smith", .close, .close),
        NamePair("M. Dupont", "Marc Dupont", .close, .close),
        // Honorifics (individuals)
        NamePair("Dr. Hans Meier", "Hans Meier", .match, .close),
        NamePair("Herr Dr. Hans Meier", "Meier, Hans", .match, .close),
        NamePair("Mme Claire Dubois", "Claire Dubois", .match, .close),
        NamePair("M. Jean Dupont", "Jean Dupont", .match, .close),
        NamePair("Dipl.-Ing. Jürgen Weber", "Juergen Weber", .match, .close),
        // Legal forms (companies)
        NamePair("Müller GmbH", "Mueller", .close, .match),
        NamePair("ACME S.A.R.L.", "Acme SARL", .none, .match),
        NamePair("Société Générale SA", "Societe Generale", .close, .match),
        NamePair("Polska Grupa Sp. z o.o.", "Polska Grupa sp z oo", .close, .match),
        NamePair("Acme GmbH & Co. KG", "ACME GmbH & Co KG", .match, .match),
        NamePair("Nokia Oyj", "Nokia", .close, .match),
        NamePair("Mærsk A/S", "Maersk", .close, .match),
        NamePair("Müller GmbH", "Müller AG", .none, .close),
        NamePair("Siemens Aktiengesellschaft", "Siemens AG", .none, .match),
        // Typos
        NamePair("Schmidt", "Schmitt", .close, .match),
        NamePair("Shcmidt", "Schmidt", .close, .match),
        NamePair("Anna Schmidt", "Anna Schmitt", .close, .match),
        NamePair("Jon Smith", "John Smith", .close, .match),
        NamePair("John Smith", "John Smyth", .close, .match),
        NamePair("Hans Meier", "Hans Meyer", .close, .match),
        NamePair("Mueller", "Muller", .close, .match),
        // Missing words: close at best
        NamePair("John Smith", "John Michael Smith", .close, .close),
        NamePair("Anna Schmidt", "Schmidt", .close, .close),
        // Must not match
        NamePair("Anna Schmidt", "Hans Schmidt", .none, .none),
        NamePair("Peter Müller", "Petra Müller", .none, .close),
        NamePair("Meier", "Maier", .none, .close),
        NamePair("John Smith", "Maria Garcia", .none, .none),
        NamePair("Deutsche Bank AG", "Commerzbank AG", .none, .none),
        NamePair("Deutsche Bank", "Bank", .none, .none),
        NamePair("Ελένη Παππά", "Μαρία Παππά", .none, .none),
        // Empty names
        NamePair("", "John Smith", .none, .none),
        NamePair("", "", .none, .none),
        NamePair(" - , . ", "John Smith", .none, .none),
        // Digits
        NamePair("1&1 Internet AG", "1 & 1 Internet AG", .match, .match),
        NamePair("J0hn Smith", "John Smith", .close, .match),
        NamePair("Studio 54 Ltd", "Studio 45 Ltd", .none, .close),
        NamePair("Flat 3 Holdings", "Flat 8 Holdings", .close, .close),
        // Very long names
        NamePair(
            "María de los Ángeles Fernández de Córdoba y Gutiérrez de la Concha",
            "Maria de los Angeles Fernandez de Cordoba y Gutierrez de la Concha", .match, .match
        ),
        NamePair(
            "María de los Ángeles Fernández de Córdoba y Gutiérrez de la Concha",
            "Juan Carlos Rodríguez Pérez de Castro y Martínez del Río", .none, .none
        ),
    ]
}

struct NameMatchingTests {
    let matcher = PayeeNameMatcher()

    @Test(arguments: NamePair.table)
    func gradesRealWorldPairsPerAccountType(_ pair: NamePair) {
        let individual = matcher.match(pair.a, pair.b, accountType: .individual)
        let company = matcher.match(pair.a, pair.b, accountType: .company)
        #expect(ExpectedGrade(individual) == pair.individual, "individual: \(individual)")
        #expect(ExpectedGrade(company) == pair.company, "company: \(company)")
    }

    @Test(arguments: NamePair.table)
    func scoreIsBetweenZeroAndOneAndSymmetric(_ pair: NamePair) {
        for type in PayeeAccountType.allCases {
            let forward = matcher.score(pair.a, pair.b, accountType: type)
            let backward = matcher.score(pair.b, pair.a, accountType: type)
            #expect((0...1).contains(forward))
            #expect(abs(forward - backward) < 1e-9)
            #expect(matcher.match(pair.a, pair.b, accountType: type) == matcher.match(pair.b, pair.a, accountType: type))
        }
    }

    @Test func identicalNamesScoreOneAndEmptyNamesZero() {
        #expect(matcher.score("Anna Schmidt", "Anna Schmidt", accountType: .individual) == 1)
        #expect(matcher.score("", "", accountType: .individual) == 0)
        #expect(matcher.match("", "", accountType: .company) == .noMatch(0))
    }

    @Test func typoScoreIsTheShareOfRightLetters() {
        #expect(abs(matcher.score("Schmidt", "Schmitt", accountType: .individual) - 6.0 / 7.0) < 1e-9)
        #expect(abs(matcher.score("Shcmidt", "Schmidt", accountType: .individual) - 6.0 / 7.0) < 1e-9)
        #expect(abs(matcher.score("J. Smith", "John Smith", accountType: .individual) - 14.0 / 15.0) < 1e-9)
    }

    @Test func initialsAreNeverAnExactMatchEvenWithLowThresholds() {
        let lenient = PayeeNameMatcher(thresholds: .init(individual: .init(closeMatch: 0.5, match: 0.6)))
        #expect(ExpectedGrade(lenient.match("J. Smith", "John Smith", accountType: .individual)) == .close)
        #expect(lenient.match("J. Smith", "J Smith", accountType: .individual) == .match)
    }

    @Test func thresholdsAreConfigurablePerAccountType() {
        let strict = PayeeNameMatcher(thresholds: .init(individual: .init(closeMatch: 0.9, match: 0.99), company: .init(closeMatch: 0.9, match: 0.99)))
        #expect(ExpectedGrade(strict.match("Jon Smith", "John Smith", accountType: .individual)) == .none)
        #expect(ExpectedGrade(strict.match("Jon Smith", "John Smith", accountType: .company)) == .none)
        #expect(NameMatchThresholds.default.individual == .init(closeMatch: 0.85, match: 0.95))
        #expect(NameMatchThresholds.default.company == .init(closeMatch: 0.75, match: 0.85))
    }

    @Test func thresholdsAreClampedIntoOrder() {
        let band = NameMatchThresholds.Band(closeMatch: 1.5, match: 0.2)
        #expect(band.closeMatch == 1)
        #expect(band.match == 1)
        let inverted = NameMatchThresholds.Band(closeMatch: 0.9, match: 0.8)
        #expect(inverted.match == 0.9)
    }

    @Test func epcCodes() {
        #expect(NameMatch.match.epcCode == "MTCH")
        #expect(NameMatch.closeMatch(0.9).epcCode == "CMTC")
        #expect(NameMatch.noMatch(0.1).epcCode == "NMTC")
    }

    @Test func normalisedNamesCanBeComparedManyTimes() {
        let holder = PayeeNameNormalizer.normalize("Müller Bau GmbH", accountType: .company)
        let names = ["Mueller Bau", "MÜLLER BAU G.M.B.H.", "Bau Müller GmbH"]
        for name in names {
            #expect(matcher.match(holder, PayeeNameNormalizer.normalize(name, accountType: .company)) == .match)
        }
    }
}

struct PayeeNameNormalizerTests {
    func text(_ name: String, _ type: PayeeAccountType = .individual) -> String {
        PayeeNameNormalizer.normalize(name, accountType: type).text
    }

    @Test(arguments: [
        ("Müller", "mueller"), ("ÄÖÜäöüß", "aeoeueaeoeuess"), ("Øystein Ærø", "oystein aero"), ("Ångström", "angstroem"),
        ("Łódź", "lodz"), ("Đorđević", "dordevic"), ("Þórður", "thordur"), ("Œuvre", "oeuvre"), ("Çağrı Yılmaz", "cagri yilmaz"),
        ("Nguyễn Văn Đức", "nguyen van duc"), ("Jose\u{0301}", "jose"), ("Ștefan Țurcanu", "stefan turcanu"), ("Dvořák", "dvorak"),
        ("Ελένη Παπαδοπούλου", "ελενη παπαδοπουλου"), ("ΟΔΥΣΣΕΑΣ", "οδυσσεασ"), ("Пётр Иванов", "петр иванов"),
    ])
    func foldsLettersToTheSEPALatinSet(_ name: String, _ expected: String) {
        #expect(text(name) == expected)
    }

    @Test(arguments: [
        ("Smith, John", "smith john"), ("Jean-Pierre  Dupont", "jean pierre dupont"), ("O'Brien", "obrien"), ("D’Angelo", "dangelo"),
        ("Col·lecció", "colleccio"), ("  anna\tmaria ", "anna maria"), ("A.B. Smith", "a b smith"), ("1&1", "1 1"), ("R2-D2", "r2 d2"),
    ])
    func splitsWordsAtPunctuation(_ name: String, _ expected: String) {
        #expect(text(name) == expected)
    }

    @Test(arguments: [
        ("Dr. Hans Meier", "hans meier"), ("Herr Prof. Dr. Hans Meier", "hans meier"), ("Meier, Dr. Hans", "meier hans"),
        ("Mrs Jane Doe", "jane doe"), ("Mme. Claire Dubois", "claire dubois"), ("M. Jean Dupont", "jean dupont"),
        ("M. Dupont", "m dupont"), ("Dipl.-Ing. Mag. Eva Gruber", "eva gruber"), ("Sra. Lucía Pérez", "lucia perez"),
        ("Dott.ssa Giulia Rossi", "giulia rossi"), ("Dr.", "dr"), ("Mr Mrs", "mr mrs"),
    ])
    func dropsHonorificsOfIndividuals(_ name: String, _ expected: String) {
        #expect(text(name) == expected)
    }

    @Test func companiesKeepHonorificsAndIndividualsKeepLegalForms() {
        #expect(text("Dr. Oetker KG", .company) == "dr oetker")
        #expect(text("Hans Müller e.K.", .individual) == "hans mueller e k")
    }

    @Test(arguments: [
        ("ACME S.A.R.L.", "acme", ["sarl"]), ("Acme SARL", "acme", ["sarl"]), ("ACME S A R L", "acme", ["sarl"]),
        ("Müller GmbH & Co. KG", "mueller", ["gmbhcokg"]), ("Bäckerei Schmidt UG (haftungsbeschränkt)", "baeckerei schmidt", ["ug"]),
        ("Polska Grupa Sp. z o.o.", "polska grupa", ["spzoo"]), ("Maersk A/S", "maersk", ["as"]), ("AB Volvo (publ)", "volvo", ["ab", "publ"]),
        ("Siemens Aktiengesellschaft", "siemens", ["ag"]), ("Tesco PLC", "tesco", ["plc"]), ("Widgets Limited", "widgets", ["ltd"]),
        ("Foo Co., Ltd.", "foo", ["ltd"]), ("Fiat S.p.A.", "fiat", ["spa"]), ("Philips N.V.", "philips", ["nv"]), ("AG", "ag", []),
    ])
    func dropsAndRecordsLegalFormsOfCompanies(_ name: String, _ expected: String, _ forms: [String]) {
        let normalized = PayeeNameNormalizer.normalize(name, accountType: .company)
        #expect(normalized.text == expected)
        #expect(normalized.legalForms == forms)
    }

    @Test func equalNamesAreEqualValuesWhateverWasDropped() {
        let a = PayeeNameNormalizer.normalize("Dr. Hans Müller", accountType: .individual)
        let b = PayeeNameNormalizer.normalize("hans müller", accountType: .individual)
        #expect(a == b)
        #expect(a.words == ["hans", "mueller"])
    }

    @Test func byteFormReusesOneValueAcrossRows() {
        var name = NormalizedPayeeName(accountType: .individual)
        for (row, expected) in [("Dr. Anna Schmidt", "anna schmidt"), ("Jürgen", "juergen"), ("", "")] {
            Array(row.utf8).withUnsafeBufferPointer { PayeeNameNormalizer.normalize($0, accountType: .individual, into: &name) }
            #expect(name.text == expected)
        }
        #expect(name.isEmpty)
    }

    @Test func brokenUTF8SeparatesWords() {
        let bytes: [UInt8] = [0x41, 0x6E, 0x6E, 0x61, 0xFF, 0x42, 0x65, 0x6E]
        var name = NormalizedPayeeName(accountType: .individual)
        bytes.withUnsafeBufferPointer { PayeeNameNormalizer.normalize($0, accountType: .individual, into: &name) }
        #expect(name.text == "anna ben")
    }
}
