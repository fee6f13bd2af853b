extension SigV4Signer {
    /// Percent-encodes text the way S3 expects in request paths and in SigV4 canonical requests.
    ///
    /// Every byte of the UTF-8 form is encoded as `%XX` (upper-case hex) except the unreserved
    /// characters `A-Z a-z 0-9 - _ . ~`; `/` is kept as is when `encodeSlash` is false (paths)
    /// and encoded as `%2F` otherwise (query keys and values). Unlike other AWS services, S3
    /// paths are encoded once, not twice.
    public static func uriEncode(_ text: String, encodeSlash: Bool) -> String {
        let hexDigits = Array("0123456789ABCDEF".utf8)
        var encoded = [UInt8]()
        encoded.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                encoded.append(byte)
            case UInt8(ascii: "/") where !encodeSlash:
                encoded.append(byte)
            default:
                encoded.append(UInt8(ascii: "%"))
                encoded.append(hexDigits[Int(byte >> 4)])
                encoded.append(hexDigits[Int(byte & 0x0f)])
            }
        }
        return String(decoding: encoded, as: UTF8.self)
    }

    /// Query parameters encoded with ``uriEncode(_:encodeSlash:)`` and sorted by name, then value:
    /// the canonical query string of SigV4, and also what is sent on the wire.
    static func canonicalQueryString(_ query: [String: String]) -> String {
        var pairs: [(name: String, value: String)] = []
        pairs.reserveCapacity(query.count)
        for (name, value) in query {
            pairs.append((uriEncode(name, encodeSlash: true), uriEncode(value, encodeSlash: true)))
        }
        pairs.sort { left, right in
            left.name == right.name ? left.value < right.value : left.name < right.name
        }
        var parts: [String] = []
        parts.reserveCapacity(pairs.count)
        for pair in pairs {
            parts.append(pair.name + "=" + pair.value)
        }
        return parts.joined(separator: "&")
    }
}
