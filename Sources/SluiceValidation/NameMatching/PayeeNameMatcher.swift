/// Scores how well a payee name matches an account holder's name, and grades the score as
/// Verification of Payee does: match, close match, no match.
///
/// Both names are normalised (`PayeeNameNormalizer`), then their words are paired, best pair
/// first, whatever their order (`Smith, John` = `John Smith`). A pair's similarity is 1 for equal
/// words, `initialSimilarity` for an initial and a word it begins (`J` / `John`), and otherwise
/// 1 − (Damerau–Levenshtein distance ÷ length of the longer word). The score is the mean pair
/// similarity weighted by the pair's letters, where a word left without a partner (a middle
/// name, a legal form an individual's name kept) adds `unpairedWeight` of its letters to the
/// total and nothing to the matched part:
///
///     score = Σ sim(a, b)·(|a| + |b|) ÷ (Σ (|a| + |b|) + unpairedWeight · Σ |unpaired|)
///
/// A score at or above the account type's `match` threshold is a match, unless an initial was
/// needed, a word was left unpaired, two numbers differ (`Flat 3` / `Flat 8`), or the two
/// company names carry different legal forms (`Müller GmbH` / `Müller AG`): those are at best
/// a close match, since they may be another person or entity. A score at or above `closeMatch` is a close match; below, no match.
///
/// Why Damerau–Levenshtein and not Jaro–Winkler: Jaro–Winkler rewards a shared beginning, so
/// short names that start alike score high (`Jon` / `John` 0.93, a match inside a full name),
/// and its values have no simple meaning to set a threshold by. The normalised edit distance is
/// the share of letters that are wrong (`Schmidt` / `Schmitt` 6/7 ≈ 0.86, a close match for a
/// person), counts a swap of two letters (`Shcmidt`) as one typo, and treats the end of a name
/// as carefully as its start.
///
/// ```swift
/// let matcher = PayeeNameMatcher()
/// matcher.match("Dr. Hans Müller", "MUELLER, HANS", accountType: .individual)  // .match
/// matcher.match("J. Smith", "John Smith", accountType: .individual)            // .closeMatch(0.93)
/// ```
public struct PayeeNameMatcher: Sendable {
    /// The thresholds per account type.
    public var thresholds: NameMatchThresholds

    /// The similarity of an initial and a word that begins with it. With `unpairedWeight` it
    /// puts `J. Smith` / `John Smith` at 0.93: a close match for both account types.
    public static let initialSimilarity = 0.8
    /// What share of its letters an unpaired word adds to the total: a missing middle name
    /// costs less than a wrong first name, which is paired and scores its distance.
    public static let unpairedWeight = 0.4
    /// Words past this many in one name are not paired, only counted as unpaired: no real name
    /// has that many, and pairing is quadratic in the number of words.
    static let maxPairedWords = 64

    public init(thresholds: NameMatchThresholds = .default) {
        self.thresholds = thresholds
    }

    /// The similarity of two names, 0 … 1, after normalising both for `accountType`.
    public func score(_ a: String, _ b: String, accountType: PayeeAccountType) -> Double {
        score(PayeeNameNormalizer.normalize(a, accountType: accountType), PayeeNameNormalizer.normalize(b, accountType: accountType))
    }

    /// The grade of two names, after normalising both for `accountType`.
    public func match(_ a: String, _ b: String, accountType: PayeeAccountType) -> NameMatch {
        match(PayeeNameNormalizer.normalize(a, accountType: accountType), PayeeNameNormalizer.normalize(b, accountType: accountType))
    }

    /// The similarity of two normalised names, 0 … 1; 0 when either is empty. Use this form to
    /// normalise a name once and compare it many times.
    public func score(_ a: NormalizedPayeeName, _ b: NormalizedPayeeName) -> Double {
        Self.pair(a, b).score
    }

    /// The grade of two normalised names, with `a`'s account type's thresholds.
    public func match(_ a: NormalizedPayeeName, _ b: NormalizedPayeeName) -> NameMatch {
        let pairing = Self.pair(a, b)
        let band = thresholds[a.accountType]
        let legalFormsDiffer = !a.legalForms.isEmpty && !b.legalForms.isEmpty && !a.legalForms.contains(where: b.legalForms.contains)
        if pairing.score >= band.match && pairing.isExact && !legalFormsDiffer { return .match }
        if pairing.score >= band.closeMatch { return .closeMatch(pairing.score) }
        return .noMatch(pairing.score)
    }

    // MARK: - Pairing

    struct Pairing {
        var score: Double
        /// Every word found a partner, no pair needed an initial, and no two numbers differ.
        var isExact: Bool
    }

    /// Pairs the words greedily, most similar pair first (ties: the longer pair). Greedy is not
    /// always the optimal assignment, but with real names, where most words pair exactly, it
    /// gives the same pairs as the Hungarian method at a fraction of the code.
    static func pair(_ a: NormalizedPayeeName, _ b: NormalizedPayeeName) -> Pairing {
        guard !a.tokens.isEmpty, !b.tokens.isEmpty else { return Pairing(score: 0, isExact: false) }
        let rows = min(a.tokens.count, maxPairedWords)
        let columns = min(b.tokens.count, maxPairedWords)
        return a.scalars.withUnsafeBufferPointer { aScalars in
            b.scalars.withUnsafeBufferPointer { bScalars in
                withUnsafeTemporaryAllocation(of: Double.self, capacity: rows * columns) { similarities in
                    for row in 0..<rows {
                        for column in 0..<columns {
                            similarities[row * columns + column] = TokenSimilarity.similarity(
                                a.tokens[row], in: aScalars, b.tokens[column], in: bScalars
                            )
                        }
                    }
                    var pairedRows: UInt64 = 0
                    var pairedColumns: UInt64 = 0
                    var matched = 0.0
                    var total = 0.0
                    var isExact = a.tokens.count == b.tokens.count
                    for _ in 0..<min(rows, columns) {
                        var best = (similarity: -1.0, letters: 0, row: 0, column: 0)
                        for row in 0..<rows where pairedRows & (1 << UInt64(row)) == 0 {
                            for column in 0..<columns where pairedColumns & (1 << UInt64(column)) == 0 {
                                let similarity = similarities[row * columns + column]
                                let letters = a.tokens[row].count + b.tokens[column].count
                                if similarity > best.similarity || (similarity == best.similarity && letters > best.letters) {
                                    best = (similarity, letters, row, column)
                                }
                            }
                        }
                        pairedRows |= 1 << UInt64(best.row)
                        pairedColumns |= 1 << UInt64(best.column)
                        matched += best.similarity * Double(best.letters)
                        total += Double(best.letters)
                        let x = a.tokens[best.row]
                        let y = b.tokens[best.column]
                        if x.count != y.count, x.count == 1 || y.count == 1 {
                            isExact = false  // an initial and a word
                        } else if best.similarity < 1,
                            TokenSimilarity.hasDigit(UnsafeBufferPointer(rebasing: aScalars[x.start..<x.end])),
                            TokenSimilarity.hasDigit(UnsafeBufferPointer(rebasing: bScalars[y.start..<y.end]))
                        {
                            isExact = false  // two different numbers
                        }
                    }
                    for (index, token) in a.tokens.enumerated() where index >= rows || pairedRows & (1 << UInt64(index)) == 0 {
                        total += unpairedWeight * Double(token.count)
                    }
                    for (index, token) in b.tokens.enumerated() where index >= columns || pairedColumns & (1 << UInt64(index)) == 0 {
                        total += unpairedWeight * Double(token.count)
                    }
                    return Pairing(score: min(max(matched / total, 0), 1), isExact: isExact)
                }
            }
        }
    }
}
