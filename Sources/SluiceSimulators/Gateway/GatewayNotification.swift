/// One notification to POST to a merchant's `notification_url`, form-urlencoded.
struct GatewayNotification: Sendable {
    var url: String
    /// The form fields in order, `signature` included.
    var fields: [(name: String, value: String)]
    var transactionID: String
    var uniqueID: String
    /// 1 for the first send, 2 for the first re-send, …
    var attempt: Int = 1
    /// The simulator's reset generation when it was made: a reset drops older ones.
    var generation: Int

    /// `application/x-www-form-urlencoded`: letters, digits and `-._*` as they are, space as
    /// `+`, every other byte as `%XX`.
    var body: String {
        fields.map { Self.encode($0.name) + "=" + Self.encode($0.value) }.joined(separator: "&")
    }

    static func encode(_ text: String) -> String {
        var result: [UInt8] = []
        let hex = Array("0123456789ABCDEF".utf8)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "*"):
                result.append(byte)
            case UInt8(ascii: " "):
                result.append(UInt8(ascii: "+"))
            default:
                result.append(UInt8(ascii: "%"))
                result.append(hex[Int(byte >> 4)])
                result.append(hex[Int(byte & 0x0F)])
            }
        }
        return String(decoding: result, as: UTF8.self)
    }

    /// Whether `body` (a 200's) echoes this notification: `<notification_echo>` with its `unique_id`.
    func isEcho(_ body: String) -> Bool {
        body.contains("<notification_echo>") && body.contains("<unique_id>\(uniqueID)</unique_id>")
    }
}
