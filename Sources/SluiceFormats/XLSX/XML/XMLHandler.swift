import CLibXML2

/// Receives the SAX events of one XML part. Subclasses override what they need; the
/// callbacks hand out pointers into libxml2's buffers, valid only during the call.
class XMLHandler {
    /// Set when the handler refuses the document; parsing stops at once.
    var failure: String?
    /// The parser feeding this handler, to stop it.
    var parserContext: xmlParserCtxtPtr?

    func startElement(_ name: UnsafePointer<UInt8>, _ attributes: XMLAttributes) {}
    func endElement(_ name: UnsafePointer<UInt8>) {}
    func characters(_ bytes: UnsafePointer<UInt8>, _ count: Int) {}

    /// Stops parsing with a reason; the first reason wins.
    final func stop(_ reason: String) {
        if failure == nil { failure = reason }
        if let parserContext { xmlStopParser(parserContext) }
    }
}

/// The attributes of a start tag, as libxml2's SAX2 hands them over: five pointers per
/// attribute (local name, prefix, URI, value start, value end).
struct XMLAttributes {
    let base: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?
    let count: Int

    /// The value of the attribute with local name `name` (ASCII, NUL-free), if present.
    @inline(__always)
    func value(_ name: StaticString) -> UnsafeBufferPointer<UInt8>? {
        guard let base else { return nil }
        for index in 0..<count {
            let entry = base + index * 5
            guard let local = entry[0] else { continue }
            if XMLName.equals(local, name), let start = entry[3], let end = entry[4] {
                return UnsafeBufferPointer(start: start, count: end - start)
            }
        }
        return nil
    }

    /// The value as a `String`, for the small parts only.
    func string(_ name: StaticString) -> String? {
        value(name).map { String(decoding: $0, as: UTF8.self) }
    }
}

/// Compares libxml2's NUL-terminated names without making Strings.
enum XMLName {
    @inline(__always)
    static func equals(_ name: UnsafePointer<UInt8>, _ expected: StaticString) -> Bool {
        let bytes = expected.utf8Start
        let count = expected.utf8CodeUnitCount
        for index in 0..<count where name[index] != bytes[index] { return false }
        return name[count] == 0
    }

    static func string(_ name: UnsafePointer<UInt8>) -> String { String(cString: name) }
}

extension XMLAttributes {
    /// Every attribute by local name, for the small parts only.
    func all() -> [String: String] {
        guard let base else { return [:] }
        var result: [String: String] = [:]
        for index in 0..<count {
            let entry = base + index * 5
            guard let local = entry[0], let start = entry[3], let end = entry[4] else { continue }
            result[String(cString: local)] = String(decoding: UnsafeBufferPointer(start: start, count: end - start), as: UTF8.self)
        }
        return result
    }
}
