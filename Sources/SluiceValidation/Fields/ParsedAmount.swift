/// An amount read from a file, in minor units (cents), with the currency its symbol named.
public struct ParsedAmount: Sendable, Hashable {
    /// The amount in cents; negative for a leading minus.
    public var cents: Int64
    /// ISO 4217 code of a currency symbol found with the amount (`€` → EUR, `$` → USD, `£` → GBP).
    public var symbolCurrency: String?

    /// An amount of `cents`, with the ISO code of a currency symbol found beside it.
    public init(cents: Int64, symbolCurrency: String? = nil) {
        self.cents = cents
        self.symbolCurrency = symbolCurrency
    }

    /// The plain decimal form Sluice stores: a dot and two decimals, e.g. `1234.56`, `-0.50`.
    public var normalized: String {
        var bytes: [UInt8] = []
        ParsedAmount.appendNormalized(cents: cents, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the plain decimal form of `cents` to `output`.
    static func appendNormalized(cents: Int64, to output: inout [UInt8]) {
        var magnitude = cents.magnitude
        if cents < 0 { output.append(UInt8(ascii: "-")) }
        let fraction = magnitude % 100
        magnitude /= 100
        var digits: [UInt8] = []
        repeat {
            digits.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        output.append(contentsOf: digits.reversed())
        output.append(UInt8(ascii: "."))
        output.append(UInt8(ascii: "0") + UInt8(fraction / 10))
        output.append(UInt8(ascii: "0") + UInt8(fraction % 10))
    }
}
