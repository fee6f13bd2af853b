/// Reads a `boolean` column's value: `true`/`false`, `t`/`f`, `yes`/`no`, `y`/`n`, `1`/`0`, in
/// any case. The canonical form is `true` or `false`, PostgreSQL's `boolean::text`.
enum BooleanCast {
    static let trueText = Array("true".utf8)
    static let falseText = Array("false".utf8)

    /// Checks `value` (trimmed, not empty), and appends its canonical form to `output` when it
    /// is not canonical already.
    static func cast(_ value: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) -> CastOutcome {
        guard let truth = parse(value) else { return .misfit }
        let canonical = truth ? trueText : falseText
        if value.elementsEqual(canonical) { return .canonical }
        output.append(contentsOf: canonical)
        return .appended
    }

    /// The truth value of `value`, or `nil`.
    static func parse(_ value: UnsafeBufferPointer<UInt8>) -> Bool? {
        guard value.count <= 5 else { return nil }
        // Lower-cased into an integer, so that each spelling is one comparison.
        var word: UInt64 = 0
        for byte in value {
            let lower = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
            word = word << 8 | UInt64(lower)
        }
        if trueWords.contains(word) { return true }
        if falseWords.contains(word) { return false }
        return nil
    }

    private static let trueWords = ["true", "t", "yes", "y", "1"].map(pack)
    private static let falseWords = ["false", "f", "no", "n", "0"].map(pack)

    private static func pack(_ text: String) -> UInt64 {
        text.utf8.reduce(0) { $0 << 8 | UInt64($1) }
    }
}
