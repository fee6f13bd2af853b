/// The fields of an `application/x-www-form-urlencoded` body, in order: `+` is a space and
/// `%XX` a byte; a malformed escape is kept as it was written. A name given twice keeps the
/// last value.
public struct FormFields: Sendable, Hashable {
    public private(set) var pairs: [(name: String, value: String)]

    public init(_ body: some Collection<UInt8>) {
        var pairs: [(String, String)] = []
        for part in body.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let equals = part.firstIndex(of: UInt8(ascii: "="))
            let name = Self.decode(equals.map { part[part.startIndex..<$0] } ?? part[...])
            let value = equals.map { Self.decode(part[part.index(after: $0)...]) } ?? ""
            pairs.append((name, value))
        }
        self.pairs = pairs
    }

    /// The last value of `name`, or `nil` when it is not there.
    public subscript(name: String) -> String? {
        pairs.last { $0.name == name }?.value
    }

    /// `name`'s value, or `nil` when it is missing or blank.
    public func nonEmpty(_ name: String) -> String? {
        guard let value = self[name]?.trimmingSpaces, !value.isEmpty else { return nil }
        return value
    }

    static func decode(_ bytes: some Collection<UInt8>) -> String {
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index != bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "+") {
                result.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%"), let high = bytes.index(index, offsetBy: 1, limitedBy: bytes.endIndex), high != bytes.endIndex,
                let low = bytes.index(high, offsetBy: 1, limitedBy: bytes.endIndex), low != bytes.endIndex,
                let h = hexValue(bytes[high]), let l = hexValue(bytes[low]) {
                result.append(h << 4 | l)
                index = low
            } else {
                result.append(byte)
            }
            index = bytes.index(after: index)
        }
        return String(decoding: result, as: UTF8.self)
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    public static func == (lhs: FormFields, rhs: FormFields) -> Bool {
        lhs.pairs.elementsEqual(rhs.pairs) { $0.name == $1.name && $0.value == $1.value }
    }

    public func hash(into hasher: inout Hasher) {
        for pair in pairs {
            hasher.combine(pair.name)
            hasher.combine(pair.value)
        }
    }
}

extension String {
    var trimmingSpaces: String {
        var view = Substring(self)
        while view.first?.isWhitespace == true { view.removeFirst() }
        while view.last?.isWhitespace == true { view.removeLast() }
        return String(view)
    }
}
