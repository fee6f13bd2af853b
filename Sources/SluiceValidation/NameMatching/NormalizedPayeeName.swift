/// A payee name after `PayeeNameNormalizer`: lower-case words in the SEPA Latin set, without
/// honorifics, and for companies without legal forms.
///
/// The words are kept as Unicode scalar values in one array, not as `String`s, so that
/// normalising a row costs no allocation once the value's buffers have grown
/// (`PayeeNameNormalizer.normalize(_:accountType:into:)` reuses them), and the matcher measures
/// edit distances in characters, not bytes.
///
/// ```swift
/// let name = PayeeNameNormalizer.normalize("Dr. Jürgen Müller-Lüdenscheid", accountType: .individual)
/// name.text   // "juergen mueller luedenscheid"
/// ```
public struct NormalizedPayeeName: Sendable, Hashable {
    /// One word: `start..<end` in `scalars`. A word whose umlauts were written `ae oe ue` is
    /// followed by its plain spelling (`müller` → `mueller`, then `muller`) in `end..<plainEnd`,
    /// because debtor files write `Müller` as `Mueller` and as `Muller` alike.
    struct Token: Sendable, Hashable {
        var start: Int
        var end: Int
        var plainEnd: Int

        var count: Int { end - start }
        var hasPlain: Bool { plainEnd > end }
    }

    /// The account type the name was normalised for.
    public internal(set) var accountType: PayeeAccountType
    var scalars: [UInt32]
    var tokens: [Token]
    /// The legal forms removed from a company name, in a canonical spelling (`S.A.R.L.` and
    /// `SARL` are both `sarl`, `Limited` is `ltd`), in the order they appeared. Empty for
    /// individuals.
    public internal(set) var legalForms: [String]

    /// An empty name, to be filled by `PayeeNameNormalizer.normalize(_:accountType:into:)`.
    public init(accountType: PayeeAccountType) {
        self.accountType = accountType
        scalars = []
        tokens = []
        legalForms = []
    }

    /// Whether no word is left (an empty name, or only punctuation).
    public var isEmpty: Bool { tokens.isEmpty }

    /// The words in their original order.
    public var words: [String] {
        tokens.map { string(scalars[$0.start..<$0.end]) }
    }

    /// The words joined by one space, e.g. as part of a cache key.
    public var text: String {
        var text = ""
        for (index, token) in tokens.enumerated() {
            if index > 0 { text.unicodeScalars.append(" ") }
            append(scalars[token.start..<token.end], to: &text)
        }
        return text
    }

    mutating func reset(accountType: PayeeAccountType) {
        self.accountType = accountType
        scalars.removeAll(keepingCapacity: true)
        tokens.removeAll(keepingCapacity: true)
        legalForms.removeAll(keepingCapacity: true)
    }

    /// Moves the kept tokens' scalars to the front after some tokens were dropped, so that two
    /// equal names are equal values.
    mutating func compact() {
        var write = 0
        for index in tokens.indices {
            let token = tokens[index]
            let shift = token.start - write
            if shift != 0 {
                for read in token.start..<token.plainEnd { scalars[read - shift] = scalars[read] }
                tokens[index] = Token(start: write, end: token.end - shift, plainEnd: token.plainEnd - shift)
            }
            write += token.plainEnd - token.start
        }
        scalars.removeLast(scalars.count - write)
    }

    private func string(_ slice: ArraySlice<UInt32>) -> String {
        var text = ""
        append(slice, to: &text)
        return text
    }

    private func append(_ slice: ArraySlice<UInt32>, to text: inout String) {
        for value in slice {
            if let scalar = Unicode.Scalar(value) { text.unicodeScalars.append(scalar) }
        }
    }
}
