/// The similarity of two words of normalised names, 0 … 1, for `PayeeNameMatcher`.
enum TokenSimilarity {
    /// 1 for equal words; 0 for two different words that both hold digits (`54` / `45`,
    /// `Flat 3` / `Flat 8`: numbers identify, a typo in one names another entity);
    /// `PayeeNameMatcher.initialSimilarity` for a one-letter word and a longer word it begins;
    /// otherwise 1 − distance ÷ longer length, with the distance the
    /// smallest of the spellings with and without umlaut `e`s (`mueller` and `muller` are both
    /// `Müller`).
    static func similarity(
        _ a: NormalizedPayeeName.Token, in aScalars: UnsafeBufferPointer<UInt32>,
        _ b: NormalizedPayeeName.Token, in bScalars: UnsafeBufferPointer<UInt32>
    ) -> Double {
        let x = UnsafeBufferPointer(rebasing: aScalars[a.start..<a.end])
        let y = UnsafeBufferPointer(rebasing: bScalars[b.start..<b.end])
        if x.elementsEqual(y) { return 1 }
        if hasDigit(x) && hasDigit(y) { return 0 }
        if x.count == 1 || y.count == 1 {
            return x[0] == y[0] ? PayeeNameMatcher.initialSimilarity : 0
        }
        var best = normalizedSimilarity(x, y)
        if a.hasPlain {
            best = max(best, normalizedSimilarity(UnsafeBufferPointer(rebasing: aScalars[a.end..<a.plainEnd]), y))
        }
        if b.hasPlain {
            best = max(best, normalizedSimilarity(x, UnsafeBufferPointer(rebasing: bScalars[b.end..<b.plainEnd])))
        }
        return best
    }

    @inline(__always)
    static func hasDigit(_ word: UnsafeBufferPointer<UInt32>) -> Bool {
        word.contains { $0 >= 0x30 && $0 <= 0x39 }
    }

    /// 1 − Damerau–Levenshtein distance ÷ the longer length.
    static func normalizedSimilarity(_ x: UnsafeBufferPointer<UInt32>, _ y: UnsafeBufferPointer<UInt32>) -> Double {
        let longer = max(x.count, y.count)
        guard longer > 0 else { return 1 }
        return 1 - Double(distance(x, y)) / Double(longer)
    }

    /// The optimal-string-alignment form of the Damerau–Levenshtein distance: insertions,
    /// deletions, substitutions and swaps of two neighbouring letters cost 1 each. Three rows of
    /// the matrix live in one temporary buffer, on the stack for words of names.
    static func distance(_ x: UnsafeBufferPointer<UInt32>, _ y: UnsafeBufferPointer<UInt32>) -> Int {
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        let width = y.count + 1
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: 3 * width) { rows in
            // Rows i−2, i−1 and i, rotated by index.
            var before = 0
            var previous = width
            var current = 2 * width
            for column in 0..<width { rows[previous + column] = column }
            for i in 1...x.count {
                rows[current] = i
                for j in 1...y.count {
                    let cost = x[i - 1] == y[j - 1] ? 0 : 1
                    var value = min(rows[previous + j] + 1, rows[current + j - 1] + 1, rows[previous + j - 1] + cost)
                    if i > 1, j > 1, x[i - 1] == y[j - 2], x[i - 2] == y[j - 1] {
                        value = min(value, rows[before + j - 2] + 1)
                    }
                    rows[current + j] = value
                }
                (before, previous, current) = (previous, current, before)
            }
            return rows[previous + y.count]
        }
    }
}
