import CLibXML2

/// libxml2's SAX2 push parser over one XML part, fed chunk by chunk: never a tree.
///
/// Hardened for untrusted input: no network, no DTD loading, no entity substitution, and any
/// document with a DOCTYPE is refused outright, so entity expansion cannot happen.
final class XMLPushParser {
    let handler: XMLHandler
    let partName: String
    private let context: xmlParserCtxtPtr
    private var lastError: String?

    private static let initialized: Bool = {
        xmlInitParser()
        return true
    }()

    init(handler: XMLHandler, partName: String) {
        _ = Self.initialized
        self.handler = handler
        self.partName = partName
        var sax = xmlSAXHandler()
        sax.initialized = UInt32(XML_SAX2_MAGIC)
        sax.startElementNs = { context, localName, _, _, _, _, attributeCount, _, attributes in
            guard let context, let localName else { return }
            Unmanaged<XMLHandler>.fromOpaque(context)._withUnsafeGuaranteedRef {
                $0.startElement(localName, XMLAttributes(base: attributes, count: Int(attributeCount)))
            }
        }
        sax.endElementNs = { context, localName, _, _ in
            guard let context, let localName else { return }
            Unmanaged<XMLHandler>.fromOpaque(context)._withUnsafeGuaranteedRef { $0.endElement(localName) }
        }
        let characters: charactersSAXFunc = { context, bytes, count in
            guard let context, let bytes, count > 0 else { return }
            Unmanaged<XMLHandler>.fromOpaque(context)._withUnsafeGuaranteedRef { $0.characters(bytes, Int(count)) }
        }
        sax.characters = characters
        sax.ignorableWhitespace = characters
        sax.cdataBlock = characters
        // A DOCTYPE is the only way to declare entities (billion laughs, external entities).
        sax.internalSubset = { context, _, _, _ in
            guard let context else { return }
            Unmanaged<XMLHandler>.fromOpaque(context).takeUnretainedValue().stop("DTDs are not allowed in XLSX parts")
        }
        sax.serror = { context, error in
            guard let context, let error, error.pointee.level.rawValue >= XML_ERR_ERROR.rawValue else { return }
            let handler = Unmanaged<XMLHandler>.fromOpaque(context).takeUnretainedValue()
            if handler.failure == nil {
                let message = error.pointee.message.map { String(cString: $0) } ?? "malformed XML"
                handler.failure = "malformed XML at line \(error.pointee.line): \(String(message.reversed().drop { $0.isWhitespace }.reversed()))"
            }
        }
        let userData = Unmanaged.passUnretained(handler).toOpaque()
        context = xmlCreatePushParserCtxt(&sax, userData, nil, 0, partName)
        // No XML_PARSE_NOENT (entity substitution) and no XML_PARSE_DTDLOAD: nothing is fetched.
        let options = XML_PARSE_NONET.rawValue
        xmlCtxtUseOptions(context, Int32(bitPattern: options))
        handler.parserContext = context
    }

    deinit {
        handler.parserContext = nil
        xmlFreeParserCtxt(context)
    }

    /// Parses the next bytes of the part; `final` after the last chunk.
    /// Throws the handler's or libxml2's reason as text, for the caller to wrap.
    func parse(_ bytes: UnsafeRawBufferPointer, final: Bool = false) throws {
        let status = xmlParseChunk(
            context, bytes.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(bytes.count), final ? 1 : 0)
        if let failure = handler.failure { throw XMLPartError(part: partName, reason: failure) }
        if status != 0 || context.pointee.wellFormed == 0 {
            throw XMLPartError(part: partName, reason: "malformed XML (libxml2 error \(status))")
        }
    }

    func parse(_ bytes: [UInt8], final: Bool = false) throws {
        try bytes.withUnsafeBytes { try parse($0, final: final) }
    }
}

/// Why a part could not be parsed.
struct XMLPartError: Error {
    var part: String
    var reason: String
}
