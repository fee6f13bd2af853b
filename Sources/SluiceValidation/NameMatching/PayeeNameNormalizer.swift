/// Brings a payee name to the form Verification of Payee compares: the SEPA Latin set, lower
/// case, words only, no honorifics, and for companies no legal form.
///
/// The steps, in order:
/// 1. Letters are folded to the SEPA Latin set: `ä ö ü` → `ae oe ue` (each such word also keeps
///    its plain spelling `a o u`, see `NormalizedPayeeName`), `ß` → `ss`, `æ` → `ae`,
///    `ø` → `o`, `å` → `a`, `ł` → `l`, `đ ð` → `d`, `þ` → `th`, `œ` → `oe`; every other
///    accented Latin letter loses its marks (`é` → `e`, `ș` → `s`), decomposed marks included.
///    Greek and Cyrillic letters are lower-cased and lose their accents (`Ά` → `α`) but are
///    not transliterated: `domain.md` asks only for the Latin set, and dropping them would
///    leave a Greek name empty, which matches nothing.
/// 2. Apostrophes and the middle dot vanish inside a word (`O'Brien` = `OBrien`,
///    `Col·lecció` = `Collecció`); any other character that is not a letter or digit separates
///    words (`Jean-Pierre` = `Jean Pierre`, `Smith, John` = `Smith John`).
/// 3. For individuals, honorifics and titles are dropped wherever they stand (`Dr.`, `Herr`,
///    `Mme`, `Dipl.-Ing.`); the one-letter `M.` (Monsieur) only in front of at least two more
///    words, because `M. Dupont` is as likely an initial. Company names keep them: there they
///    are part of the name (`Dr. Oetker`, `ING`).
/// 4. For companies, legal forms are dropped and recorded in `legalForms`, whether dotted,
///    spaced or run together (`S.A.R.L.`, `S A R L`, `SARL`; `Sp. z o.o.`; `GmbH & Co. KG`).
///    Individuals keep them: a sole trader's `e.K.` is part of the holder's name.
///
/// No step empties a name: when every word is an honorific or a legal form (a company called
/// "AG"), the words stay. Tables are built once; a call runs over the UTF-8 bytes without a
/// regular expression and, with `normalize(_:accountType:into:)`, without allocating once the
/// buffers have grown.
public enum PayeeNameNormalizer {
    /// The normal form of `name`.
    ///
    /// ```swift
    /// PayeeNameNormalizer.normalize("ACME S.A.R.L.", accountType: .company).text  // "acme"
    /// ```
    public static func normalize(_ name: String, accountType: PayeeAccountType) -> NormalizedPayeeName {
        var result = NormalizedPayeeName(accountType: accountType)
        var name = name
        name.withUTF8 { normalize($0, accountType: accountType, into: &result) }
        return result
    }

    /// Normalises UTF-8 `bytes` into `result`, reusing its buffers: the form for a stage that
    /// checks one name per row.
    public static func normalize(_ bytes: UnsafeBufferPointer<UInt8>, accountType: PayeeAccountType, into result: inout NormalizedPayeeName) {
        result.reset(accountType: accountType)
        tokenize(bytes, into: &result)
        let dropped = switch accountType {
        case .individual: dropHonorifics(&result)
        case .company: dropLegalForms(&result)
        }
        if dropped { result.compact() }
    }

    /// Normalises UTF-8 `bytes` into `result` for an account whose type is not known: a name
    /// with a legal form is a company's (the form is dropped), any other a person's (honorifics
    /// are dropped). The words are split once for both readings.
    ///
    /// - Returns: the account type the name was read as.
    @discardableResult
    public static func normalizeGuessingAccountType(_ bytes: UnsafeBufferPointer<UInt8>, into result: inout NormalizedPayeeName) -> PayeeAccountType {
        result.reset(accountType: .company)
        tokenize(bytes, into: &result)
        if dropLegalForms(&result) {
            result.compact()
            return .company
        }
        // Nothing was dropped, so the words are as `tokenize` left them.
        result.accountType = .individual
        if dropHonorifics(&result) { result.compact() }
        return .individual
    }

    // MARK: - Words

    static func tokenize(_ bytes: UnsafeBufferPointer<UInt8>, into result: inout NormalizedPayeeName) {
        var tokenStart = 0
        // Positions, inside the current word, of the `e` that an umlaut added; the plain spelling
        // leaves them out. Words longer than 64 letters get no plain spelling past that point.
        var umlautEs: UInt64 = 0
        func endWord() {
            let end = result.scalars.count
            guard end > tokenStart else { return }
            if umlautEs != 0 {
                for index in tokenStart..<end {
                    let offset = index - tokenStart
                    if offset >= 64 || umlautEs & (1 << UInt64(offset)) == 0 { result.scalars.append(result.scalars[index]) }
                }
            }
            result.tokens.append(.init(start: tokenStart, end: end, plainEnd: result.scalars.count))
            tokenStart = result.scalars.count
            umlautEs = 0
        }

        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte < 0x80 {
                index += 1
                switch byte {
                case UInt8(ascii: "A")...UInt8(ascii: "Z"): result.scalars.append(UInt32(byte | 0x20))
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"): result.scalars.append(UInt32(byte))
                case UInt8(ascii: "'"), UInt8(ascii: "`"): continue
                default: endWord()
                }
                continue
            }
            let (scalar, length) = UTF8Decoding.scalar(in: bytes, at: index)
            index += length
            switch Self.fold(scalar) {
            case .letters(let packed):
                result.scalars.append(packed & 0xFF)
                if packed > 0xFF {
                    result.scalars.append(packed >> 8)
                    if isUmlaut(scalar) {
                        let offset = result.scalars.count - 1 - tokenStart
                        if offset < 64 { umlautEs |= 1 << UInt64(offset) }
                    }
                }
            case .letter(let value):
                result.scalars.append(value)
            case .ignored:
                continue
            case .separator:
                endWord()
            }
        }
        endWord()
    }

    // MARK: - Honorifics and legal forms

    /// Drops honorifics; returns whether any was dropped.
    static func dropHonorifics(_ result: inout NormalizedPayeeName) -> Bool {
        let count = result.tokens.count
        func isHonorific(_ index: Int) -> Bool {
            guard let key = key(of: result.tokens[index], in: result.scalars) else { return false }
            if honorifics.contains(key) { return true }
            return index == 0 && count >= 3 && leadingHonorifics.contains(key)
        }
        var droppable = 0
        for index in 0..<count where isHonorific(index) { droppable += 1 }
        guard droppable > 0, droppable < count else { return false }
        var write = 0
        for index in 0..<count where !isHonorific(index) {
            result.tokens[write] = result.tokens[index]
            write += 1
        }
        result.tokens.removeLast(count - write)
        return true
    }

    /// Drops legal forms from a company name and records them; returns whether any was dropped.
    static func dropLegalForms(_ result: inout NormalizedPayeeName) -> Bool {
        // Longest run of words, starting at `index`, that spells a legal form, e.g. the four
        // words of `S.A.R.L.`.
        func legalForm(at index: Int) -> (length: Int, canonical: String)? {
            var key: UInt128 = 0
            var letters = 0
            var found: (length: Int, canonical: String)?
            for end in index..<min(index + maxLegalFormWords, result.tokens.count) {
                guard let next = Self.key(of: result.tokens[end], in: result.scalars, appendingTo: key, letters: &letters) else { break }
                key = next
                if let canonical = legalForms[key] { found = (end - index + 1, canonical) }
            }
            return found
        }
        let count = result.tokens.count
        var droppable = 0
        var index = 0
        while index < count {
            if let form = legalForm(at: index) {
                droppable += form.length
                index += form.length
            } else {
                index += 1
            }
        }
        guard droppable > 0, droppable < count else { return false }
        var write = 0
        index = 0
        while index < count {
            if let form = legalForm(at: index) {
                result.legalForms.append(form.canonical)
                index += form.length
            } else {
                result.tokens[write] = result.tokens[index]
                write += 1
                index += 1
            }
        }
        result.tokens.removeLast(count - write)
        return true
    }

    /// A word of at most 25 letters a–z packed 5 bits a letter, appended to `key`; `nil` for a
    /// word with other characters or when the total passes 25 letters. Every spelling has its
    /// own key (no letter is 0), so the tables need no string comparison.
    static func key(of token: NormalizedPayeeName.Token, in scalars: [UInt32], appendingTo key: UInt128 = 0, letters: inout Int) -> UInt128? {
        guard letters + token.count <= 25 else { return nil }
        var key = key
        for index in token.start..<token.end {
            let value = scalars[index]
            guard value >= 0x61, value <= 0x7A else { return nil }
            key = key << 5 | UInt128(value - 0x60)
        }
        letters += token.count
        return key
    }

    static func key(of token: NormalizedPayeeName.Token, in scalars: [UInt32]) -> UInt128? {
        var letters = 0
        return key(of: token, in: scalars, letters: &letters)
    }

    /// The key of a spelling in the tables.
    static func key(_ word: String) -> UInt128 {
        word.unicodeScalars.reduce(UInt128(0)) { $0 << 5 | UInt128($1.value - 0x60) }
    }
}
