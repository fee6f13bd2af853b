/// Reads a `date` column's value: the canonical `YYYY-MM-DD` (what validation leaves in a date
/// role's column, whatever the formats), or one of the pipeline's `validation.date_formats`
/// (`DateParser`). Only real days fit.
struct DateCast: Sendable, Hashable {
    let parser: DateParser

    /// Checks `value` (trimmed, not empty), and appends its canonical form to `output` when it
    /// is not canonical already.
    func cast(_ value: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) -> CastOutcome {
        if Self.isCanonical(value) { return .canonical }
        guard let date = parser.parse(value) else { return .misfit }
        date.appendISO(to: &output)
        return .appended
    }

    /// Whether `value` is `YYYY-MM-DD` of a real day.
    static func isCanonical(_ value: UnsafeBufferPointer<UInt8>) -> Bool {
        guard value.count == 10, value[4] == UInt8(ascii: "-"), value[7] == UInt8(ascii: "-") else { return false }
        var digits = 0
        for index in [0, 1, 2, 3, 5, 6, 8, 9] {
            let digit = value[index] &- UInt8(ascii: "0")
            guard digit < 10 else { return false }
            digits = digits * 10 + Int(digit)
        }
        return CalendarDate(year: digits / 10_000, month: digits / 100 % 100, day: digits % 100) != nil
    }
}
