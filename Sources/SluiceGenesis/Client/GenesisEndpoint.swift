/// The Genesis endpoints the client calls.
enum GenesisEndpoint: String, Sendable {
    case process
    case reconcile
    case reconcileByDate = "reconcile/by_date"
    case chargebacksByDate = "chargebacks/by_date"

    /// The name in errors and logs (`reconcile/by_date`).
    var name: String { rawValue }

    /// The URL on `baseURL` for `terminal`; `chargebacks/by_date` has no terminal in its path.
    func url(baseURL: String, terminal: String) -> String {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        let token = terminal.addingPercentEncodingForPath()
        switch self {
        case .process, .reconcile, .reconcileByDate: return "\(base)/\(rawValue)/\(token)/"
        case .chargebacksByDate: return "\(base)/\(rawValue)"
        }
    }
}

extension String {
    /// Percent-encodes everything but unreserved characters, so a token stays one path segment.
    fileprivate func addingPercentEncodingForPath() -> String {
        var result = ""
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".utf8)
                result += "%" + String(decoding: [hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]], as: UTF8.self)
            }
        }
        return result
    }
}
