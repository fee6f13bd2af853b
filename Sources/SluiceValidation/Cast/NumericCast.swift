/// Reads a `numeric(p,s)` column's value: a plain decimal with an optional sign and `.` as
/// the separator (`1234.56`, `-0.5`, `.5`, `12.`), as validation leaves amounts.
///
/// A value fits when it has at most `p - s` digits before the point (leading zeros do not
/// count) and no non-zero digit after the first `s` decimals: it is never rounded. The
/// canonical form is PostgreSQL's text output: exactly `s` decimals, no `+`, no leading
/// zeros, `0.00` for `-0`. An unconstrained `numeric` keeps the decimals as written.
/// Exponents, thousands separators, `NaN` and `Infinity` do not fit.
struct NumericCast: Sendable, Hashable {
    /// `nil` for an unconstrained `numeric`.
    let precision: Int?
    let scale: Int

    /// PostgreSQL's limit on the decimals of a `numeric` (`NUMERIC_DSCALE_MAX`).
    static let maxScale = 0x3FFF

    /// Checks `value` (trimmed, not empty), and appends its canonical form to `output` when it
    /// is not canonical already.
    func cast(_ value: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) -> CastOutcome {
        let negative = value[0] == UInt8(ascii: "-")
        let signLength = negative || value[0] == UInt8(ascii: "+") ? 1 : 0
        var index = signLength
        // Integer digits without leading zeros.
        while index < value.count && value[index] == UInt8(ascii: "0") { index += 1 }
        let leadingZeros = index - signLength
        var sawDigit = leadingZeros > 0
        let integerStart = index
        while index < value.count && isDigit(value[index]) { index += 1 }
        let integerEnd = index
        if integerEnd > integerStart { sawDigit = true }
        var fractionStart = index
        var fractionEnd = index
        let hasPoint = index < value.count && value[index] == UInt8(ascii: ".")
        if hasPoint {
            index += 1
            fractionStart = index
            while index < value.count && isDigit(value[index]) { index += 1 }
            fractionEnd = index
            if fractionEnd > fractionStart { sawDigit = true }
        }
        guard sawDigit, index == value.count else { return .misfit }

        let integerDigits = integerEnd - integerStart
        let written = fractionEnd - fractionStart
        var decimals = written
        if let precision {
            guard integerDigits <= precision - scale else { return .misfit }
            // Decimals past the scale may only be zeros: nothing is rounded away.
            if decimals > scale {
                for position in (fractionStart + scale)..<fractionEnd where value[position] != UInt8(ascii: "0") { return .misfit }
            }
            decimals = scale
        } else {
            guard decimals <= Self.maxScale else { return .misfit }
        }

        var isZero = true
        for position in integerStart..<integerEnd where value[position] != UInt8(ascii: "0") { isZero = false }
        for position in fractionStart..<min(fractionEnd, fractionStart + decimals) where value[position] != UInt8(ascii: "0") { isZero = false }

        // Canonical already: no `+`, no `-` on zero, one integer digit at least and no
        // leading zero, the point exactly when there are decimals, and exactly `decimals` of them.
        let integerCanonical = integerDigits > 0 ? leadingZeros == 0 : leadingZeros == 1
        if value[0] != UInt8(ascii: "+") && !(negative && isZero) && integerCanonical && written == decimals && hasPoint == (decimals > 0) {
            return .canonical
        }

        if negative && !isZero { output.append(UInt8(ascii: "-")) }
        if integerDigits == 0 {
            output.append(UInt8(ascii: "0"))
        } else {
            output.append(contentsOf: UnsafeBufferPointer(rebasing: value[integerStart..<integerEnd]))
        }
        if decimals > 0 {
            output.append(UInt8(ascii: "."))
            let kept = min(decimals, written)
            output.append(contentsOf: UnsafeBufferPointer(rebasing: value[fractionStart..<(fractionStart + kept)]))
            for _ in kept..<decimals { output.append(UInt8(ascii: "0")) }
        }
        return .appended
    }

    @inline(__always)
    private func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }
}
