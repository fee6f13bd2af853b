/// Builds one small XML document for the gateway, escaping every text and attribute value.
///
/// Values are escaped (`& < > " '`) and characters XML 1.0 cannot carry (control characters
/// other than tab, newline and carriage return) are dropped, so a hostile value such as
/// `</iban><amount>1` stays text and never changes the document's shape.
///
/// ```swift
/// var writer = GenesisXMLWriter(root: "reconcile")
/// writer.element("unique_id", "44177a21403427eb96664a6d7e5d5d48")
/// let xml = writer.finish()
/// ```
public struct GenesisXMLWriter: Sendable {
    private var output: String
    private var open: [String]

    /// Starts a document with its root element open.
    public init(root: String, attributes: [(String, String)] = []) {
        output = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"
        open = []
        self.open(root, attributes: attributes)
    }

    /// Writes `<name>value</name>`; nothing when `value` is nil.
    public mutating func element(_ name: String, _ value: String?) {
        guard let value else { return }
        output += "<\(name)>"
        Self.escape(value, into: &output, attribute: false)
        output += "</\(name)>"
    }

    /// Opens `<name …>`; close it with `close()`.
    public mutating func open(_ name: String, attributes: [(String, String)] = []) {
        output += "<\(name)"
        for (key, value) in attributes {
            output += " \(key)=\""
            Self.escape(value, into: &output, attribute: true)
            output += "\""
        }
        output += ">"
        open.append(name)
    }

    /// Closes the element opened last.
    public mutating func close() {
        guard let name = open.popLast() else { return }
        output += "</\(name)>"
    }

    /// The document, with every element still open (at least the root) closed.
    public func finish() -> String {
        var result = output
        for name in open.reversed() { result += "</\(name)>" }
        return result
    }

    /// Escapes `value` for text or an attribute. Tab, newline and carriage return become
    /// character references where a parser would otherwise normalise them away.
    static func escape(_ value: String, into output: inout String, attribute: Bool) {
        for scalar in value.unicodeScalars {
            switch scalar {
            case "&": output += "&amp;"
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            case "\"": output += "&quot;"
            case "'": output += "&apos;"
            case "\r": output += "&#13;"
            case "\t" where attribute: output += "&#9;"
            case "\n" where attribute: output += "&#10;"
            case "\t", "\n": output.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF { continue }
                output.unicodeScalars.append(scalar)
            }
        }
    }
}
