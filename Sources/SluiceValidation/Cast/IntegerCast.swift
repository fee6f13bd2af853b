/// Reads an `integer` column's value: an optional sign and decimal digits within `Int64`.
///
/// The canonical form is PostgreSQL's `bigint` text output: no `+`, no leading zeros, `0`
/// for `-0`. `1e3`, `1,000`, `1.0` and anything past `Int64` do not fit.
enum IntegerCast {
    /// Checks `value` (trimmed, not empty), and appends its canonical form to `output` when it
    /// is not canonical already.
    static func cast(_ value: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) -> CastOutcome {
        var index = 0
        var negative = false
        if value[0] == UInt8(ascii: "-") || value[0] == UInt8(ascii: "+") {
            negative = value[0] == UInt8(ascii: "-")
            index = 1
        }
        guard index < value.count else { return .misfit }
        let leadingZero = value[index] == UInt8(ascii: "0") && value.count - index > 1
        // Accumulated as a negative number, so that Int64.min itself fits.
        var number: Int64 = 0
        while index < value.count {
            let digit = value[index] &- UInt8(ascii: "0")
            guard digit < 10 else { return .misfit }
            let (shifted, overflow) = number.multipliedReportingOverflow(by: 10)
            let (next, overflow2) = shifted.subtractingReportingOverflow(Int64(digit))
            guard !overflow, !overflow2 else { return .misfit }
            number = next
            index += 1
        }
        if !negative {
            guard number != Int64.min else { return .misfit }
            number = -number
        }
        if value[0] != UInt8(ascii: "+") && !leadingZero && !(negative && number == 0) { return .canonical }
        appendDecimal(number, to: &output)
        return .appended
    }

    /// Appends `number` in decimal.
    static func appendDecimal(_ number: Int64, to output: inout [UInt8]) {
        if number < 0 { output.append(UInt8(ascii: "-")) }
        var magnitude = number.magnitude
        let start = output.count
        repeat {
            output.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        output[start...].reverse()
    }
}
