/// The normaliser's lookup tables, each built once on first use.
extension PayeeNameNormalizer {
    /// What one non-ASCII scalar becomes.
    enum Fold {
        /// One or two ASCII letters packed low byte first (`ü` → `u`, `e`).
        case letters(UInt32)
        /// One scalar, already lower case (Greek, Cyrillic, other scripts).
        case letter(UInt32)
        /// Nothing, and the word goes on: combining marks, apostrophes, the middle dot.
        case ignored
        /// Nothing, and the word ends.
        case separator
    }

    @inline(__always)
    static func fold(_ scalar: UInt32) -> Fold {
        switch scalar {
        case 0x00C0..<0x0250:
            let packed = latin[Int(scalar - 0x00C0)]
            if packed != 0 { return .letters(UInt32(packed)) }
        case 0x1E00..<0x1F00:
            let packed = latinAdditional[Int(scalar - 0x1E00)]
            if packed != 0 { return .letters(UInt32(packed)) }
        case 0x0300...0x036F, 0x1AB0...0x1AFF, 0x1DC0...0x1DFF, 0x20D0...0x20FF, 0xFE20...0xFE2F:
            return .ignored  // combining marks: `e` + U+0301 is `é`, folded to `e`
        case 0x00B4, 0x00B7, 0x02B9, 0x02BB, 0x02BC, 0x2018, 0x2019:
            return .ignored  // ´ · ʹ ʻ ʼ ‘ ’: apostrophes and the Catalan middle dot sit inside words
        case 0x0370..<0x0400:
            if let small = greek(scalar) { return .letter(small) }
        case 0x0400..<0x0460:
            if let small = cyrillic(scalar) { return .letter(small) }
        case UTF8Decoding.invalid:
            return .separator
        default:
            break
        }
        return other(scalar)
    }

    /// `ä ö ü` and their capitals: the letters whose two-letter spelling `ae oe ue` has a
    /// one-letter alternative that files use as often.
    @inline(__always)
    static func isUmlaut(_ scalar: UInt32) -> Bool {
        switch scalar {
        case 0xC4, 0xD6, 0xDC, 0xE4, 0xF6, 0xFC: true
        default: false
        }
    }

    /// Small letter without accent for a Greek letter; `nil` for Greek punctuation and signs.
    static func greek(_ scalar: UInt32) -> UInt32? {
        switch scalar {
        case 0x0391...0x03A1, 0x03A3...0x03A9: scalar + 0x20
        case 0x03C2: 0x03C3  // final sigma
        case 0x03B1...0x03C9: scalar
        case 0x0386, 0x03AC: 0x03B1
        case 0x0388, 0x03AD: 0x03B5
        case 0x0389, 0x03AE: 0x03B7
        case 0x038A, 0x03AF, 0x0390, 0x03AA, 0x03CA: 0x03B9
        case 0x038C, 0x03CC: 0x03BF
        case 0x038E, 0x03CD, 0x03B0, 0x03AB, 0x03CB: 0x03C5
        case 0x038F, 0x03CE: 0x03C9
        default: nil
        }
    }

    /// Small letter for a basic Cyrillic letter, `ё` as `е` (Russian writes them alike).
    static func cyrillic(_ scalar: UInt32) -> UInt32? {
        switch scalar {
        case 0x0401, 0x0451: 0x0435
        case 0x0400...0x040F: scalar + 0x50
        case 0x0410...0x042F: scalar + 0x20
        case 0x0430...0x044F, 0x0450...0x045F: scalar
        default: nil
        }
    }

    /// Letters and digits of other scripts are kept, lower-cased; marks are ignored; anything
    /// else separates words. Rare in debtor files, so the Unicode properties lookup is fine.
    static func other(_ value: UInt32) -> Fold {
        guard let scalar = Unicode.Scalar(value) else { return .separator }
        let properties = scalar.properties
        if properties.isAlphabetic || properties.numericType == .decimal {
            if properties.changesWhenLowercased, let small = properties.lowercaseMapping.unicodeScalars.first {
                return .letter(small.value)
            }
            return .letter(value)
        }
        if properties.generalCategory == .nonspacingMark { return .ignored }
        return .separator
    }

    // MARK: - Latin letters

    /// U+00C0 … U+024F (Latin-1, Latin Extended-A and -B), packed ASCII letters, 0 where the
    /// letter has no base letter (×, ÷, turned and click letters).
    static let latin: [UInt16] = table(0x00C0..<0x0250)
    /// U+1E00 … U+1EFF (Latin Extended Additional: Vietnamese, Welsh `ŵ`, `ẞ`).
    static let latinAdditional: [UInt16] = table(0x1E00..<0x1F00)

    /// Letters whose SEPA spelling is not their base letter, or whose Unicode name gives none.
    static let latinOverrides: [UInt32: String] = [
        0x00C4: "ae", 0x00E4: "ae", 0x00D6: "oe", 0x00F6: "oe", 0x00DC: "ue", 0x00FC: "ue",
        0x00DF: "ss", 0x1E9E: "ss", 0x00C6: "ae", 0x00E6: "ae", 0x00DE: "th", 0x00FE: "th",
        0x00D0: "d", 0x00F0: "d", 0x0110: "d", 0x0111: "d", 0x00D8: "o", 0x00F8: "o",
        0x00C5: "a", 0x00E5: "a", 0x0141: "l", 0x0142: "l", 0x0152: "oe", 0x0153: "oe",
        0x0132: "ij", 0x0133: "ij", 0x0131: "i", 0x0138: "k", 0x014A: "n", 0x014B: "n", 0x017F: "s",
    ]

    /// Builds a table from the letters' Unicode names ("LATIN SMALL LETTER E WITH ACUTE" → `e`),
    /// which decompose every accented letter without hand-written tables, and the overrides.
    private static func table(_ range: Range<UInt32>) -> [UInt16] {
        range.map { value in
            let letters = latinOverrides[value] ?? Unicode.Scalar(value).flatMap { baseLetters(ofName: $0.properties.name) } ?? ""
            let bytes = Array(letters.utf8)
            switch bytes.count {
            case 1: return UInt16(bytes[0])
            case 2: return UInt16(bytes[0]) | UInt16(bytes[1]) << 8
            default: return 0
            }
        }
    }

    /// `e` for "LATIN CAPITAL LETTER E WITH ACUTE", `dz` for "LATIN SMALL LETTER DZ WITH CARON",
    /// `i` for "LATIN SMALL LETTER DOTLESS I"; `nil` for names without one or two base letters.
    static func baseLetters(ofName name: String?) -> String? {
        guard let name else { return nil }
        for prefix in ["LATIN SMALL LETTER ", "LATIN CAPITAL LETTER ", "LATIN SMALL LIGATURE ", "LATIN CAPITAL LIGATURE "] where name.hasPrefix(prefix) {
            var words = name.dropFirst(prefix.count).split(separator: " ")
            if let first = words.first, first == "DOTLESS" || first == "LONG" { words.removeFirst() }
            guard let word = words.first, word.count <= 2, word.allSatisfy({ $0 >= "A" && $0 <= "Z" }) else { return nil }
            return word.lowercased()
        }
        return nil
    }

    // MARK: - Honorifics and legal forms

    /// Titles and forms of address in the languages of the SEPA area, dotted or not
    /// (`Dipl.-Ing.` is `dipl` and `ing`). No word here is a common name.
    static let honorifics: Set<UInt128> = Set([
        // English
        "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "rev", "esq", "phd", "mba", "msc", "bsc",
        // German, Austrian
        "herr", "frau", "hr", "fr", "dipl", "ing", "mag", "dkfm", "univ", "med", "jur", "phil", "dres",
        // French
        "mme", "mmes", "mlle", "mlles", "mgr",
        // Spanish, Portuguese, Italian
        "sr", "sra", "srta", "dra", "eng", "dott", "dottssa", "ssa", "sig", "sigra", "avv", "arch", "geom", "rag",
        // Dutch, Polish
        "dhr", "mevr", "mw", "drs", "ir", "pani",
    ].map { key($0) })

    /// One-letter honorifics: only in front of a name of at least two more words.
    static let leadingHonorifics: Set<UInt128> = [key("m")]

    /// The most words a legal form spans (`s p o l s r o`).
    static let maxLegalFormWords = 6

    /// Legal forms, run together as the normaliser sees them, with their canonical spelling.
    static let legalForms: [UInt128: String] = {
        let forms: [(String, String)] = [
            // Germany, Austria
            ("gmbh", "gmbh"), ("mbh", "gmbh"), ("gesmbh", "gmbh"), ("gesellschaftmbh", "gmbh"), ("gmbhcokg", "gmbhcokg"),
            ("ag", "ag"), ("aktiengesellschaft", "ag"), ("kg", "kg"), ("cokg", "kg"), ("kommanditgesellschaft", "kg"),
            ("kgaa", "kgaa"), ("ohg", "ohg"), ("offenehandelsgesellschaft", "ohg"), ("ug", "ug"),
            ("ughaftungsbeschraenkt", "ug"), ("ek", "ek"), ("ekfm", "ek"), ("ekfr", "ek"), ("ev", "ev"), ("eg", "eg"),
            ("gbr", "gbr"), ("partg", "partg"), ("og", "og"), ("se", "se"),
            // France, Belgium, Luxembourg
            ("sarl", "sarl"), ("sas", "sas"), ("sasu", "sasu"), ("sa", "sa"), ("societeanonyme", "sa"), ("eurl", "eurl"),
            ("snc", "snc"), ("sca", "sca"), ("scs", "scs"), ("sci", "sci"), ("scop", "scop"), ("selarl", "selarl"),
            ("sprl", "sprl"), ("scrl", "scrl"), ("bvba", "bvba"), ("commv", "commv"), ("cie", "co"),
            // Italy, Spain, Portugal
            ("srl", "srl"), ("srls", "srls"), ("spa", "spa"), ("societaperazioni", "spa"), ("sapa", "sapa"),
            ("sl", "sl"), ("slu", "slu"), ("sll", "sll"), ("sau", "sau"), ("sociedadlimitada", "sl"),
            ("sociedadanonima", "sa"), ("lda", "lda"), ("ltda", "lda"),
            // Netherlands
            ("bv", "bv"), ("nv", "nv"), ("vof", "vof"), ("cv", "cv"),
            // English-speaking
            ("ltd", "ltd"), ("limited", "ltd"), ("coltd", "ltd"), ("colimited", "ltd"), ("ptyltd", "ltd"), ("pty", "pty"),
            ("plc", "plc"), ("llc", "llc"), ("llp", "llp"), ("lp", "lp"), ("inc", "inc"), ("incorporated", "inc"),
            ("coinc", "inc"), ("corp", "corp"), ("corporation", "corp"), ("co", "co"), ("company", "co"),
            // Nordic, Baltic
            ("ab", "ab"), ("publ", "publ"), ("oy", "oy"), ("oyj", "oyj"), ("as", "as"), ("asa", "asa"), ("aps", "aps"),
            ("hf", "hf"), ("ehf", "ehf"), ("ou", "ou"), ("uab", "uab"), ("sia", "sia"),
            // Central and Eastern Europe
            ("spzoo", "spzoo"), ("spj", "spj"), ("spk", "spk"), ("sro", "sro"), ("spolsro", "sro"), ("kft", "kft"),
            ("zrt", "zrt"), ("nyrt", "nyrt"), ("bt", "bt"), ("doo", "doo"), ("dd", "dd"), ("ad", "ad"),
            ("ood", "ood"), ("eood", "eood"),
        ]
        return Dictionary(forms.map { (key($0.0), $0.1) }, uniquingKeysWith: { first, _ in first })
    }()
}
