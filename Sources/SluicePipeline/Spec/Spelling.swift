/// Finds the word someone probably meant, for "did you mean …?" in pipeline messages.
enum Spelling {
    /// The candidate closest to `typed`, ignoring case, when it is close enough to be a typo.
    ///
    /// Close enough: at most 1 edit for words of up to 5 characters, 2 up to 8, 3 beyond
    /// (an edit inserts, deletes or replaces a character, or swaps two neighbours); failing
    /// that, a word of 4 or more characters that begins the other (`cooldown` for
    /// `cooldown_days`). Ties go to the earlier candidate.
    /// `suggestion(for: "max_rejected_row", among: ["max_rejected_rows"])` is
    /// `"max_rejected_rows"`; `suggestion(for: "colour", among: ["name"])` is `nil`.
    static func suggestion(for typed: String, among candidates: [String]) -> String? {
        let word = typed.lowercased()
        let limit = max(1, min(3, word.count / 3))
        var best: (word: String, distance: Int)?
        for candidate in candidates {
            let distance = Self.distance(word, candidate.lowercased())
            if distance <= limit, distance < (best?.distance ?? .max) { best = (candidate, distance) }
        }
        if let best { return best.word }
        return candidates.first { candidate in
            let other = candidate.lowercased()
            return min(word.count, other.count) >= 4 && (other.hasPrefix(word) || word.hasPrefix(other))
        }
    }

    /// The optimal string alignment distance: Levenshtein plus swaps of adjacent characters.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        // Three rows of the dynamic-programming table: two back for swaps.
        var before = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    current[j] = min(current[j], before[j - 2] + 1)
                }
            }
            (before, previous, current) = (previous, current, before)
        }
        return previous[b.count]
    }
}
