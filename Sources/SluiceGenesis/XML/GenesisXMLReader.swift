import CLibXML2

/// Parses one gateway document into a `GenesisXMLElement` tree, refusing anything that is not
/// a plain, small, UTF-8 XML document.
///
/// Hardened for answers from the network: the size is checked before parsing; any DOCTYPE
/// (the only place entities can be declared) stops the parse, so neither external entities nor
/// entity expansion can happen; there is no network access, no DTD loading and no entity
/// substitution; depth and element count are bounded. Each call has its own libxml2 context,
/// so calls may run on any thread at once.
///
/// ```swift
/// let root = try GenesisXMLReader.parse(Array(body.utf8))
/// let status = root.value("status")
/// ```
public enum GenesisXMLReader {
    /// Bodies above this many bytes are refused unless the caller says otherwise (1 MiB).
    public static let defaultMaxBytes = 1 << 20
    /// Elements nested deeper than this are refused.
    public static let maxDepth = 32
    /// Documents with more elements than this are refused.
    public static let maxElements = 100_000

    private static let initialized: Bool = {
        xmlInitParser()
        return true
    }()

    /// Parses `bytes` as one XML document.
    ///
    /// - Throws: `GenesisXMLProblem` saying why the document was refused.
    public static func parse(_ bytes: [UInt8], maxBytes: Int = defaultMaxBytes) throws -> GenesisXMLElement {
        guard bytes.count <= maxBytes else {
            throw GenesisXMLProblem(.tooLarge, "body of \(bytes.count) bytes is over the limit of \(maxBytes)")
        }
        // libxml2 would otherwise honour an encoding declaration or a UTF-16 byte order mark.
        guard String(validating: bytes, as: UTF8.self) != nil, !bytes.contains(0) else {
            throw GenesisXMLProblem(.notUTF8, "body is not UTF-8")
        }
        guard !bytes.isEmpty else { throw GenesisXMLProblem(.malformed, "empty body") }
        _ = initialized
        let builder = TreeBuilder()
        var sax = makeSAXHandler()
        let userData = Unmanaged.passUnretained(builder).toOpaque()
        guard let context = xmlCreatePushParserCtxt(&sax, userData, nil, 0, nil) else {
            throw GenesisXMLProblem(.malformed, "parser could not be created")
        }
        defer { xmlFreeParserCtxt(context) }
        // No XML_PARSE_NOENT (entity substitution), no XML_PARSE_DTDLOAD, no XML_PARSE_HUGE.
        let options = XML_PARSE_NONET.rawValue | XML_PARSE_IGNORE_ENC.rawValue
        xmlCtxtUseOptions(context, Int32(bitPattern: options))
        builder.context = context
        let status = withExtendedLifetime(builder) {
            bytes.withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { xmlParseChunk(context, $0.baseAddress, Int32($0.count), 1) }
            }
        }
        if let problem = builder.problem { throw problem }
        guard status == 0, context.pointee.wellFormed != 0, let root = builder.root else {
            throw GenesisXMLProblem(.malformed, "malformed XML (libxml2 error \(status))")
        }
        return root
    }

    private static func makeSAXHandler() -> xmlSAXHandler {
        var sax = xmlSAXHandler()
        sax.initialized = UInt32(XML_SAX2_MAGIC)
        sax.startElementNs = { context, localName, _, _, _, _, attributeCount, _, attributes in
            guard let context, let localName else { return }
            var pairs: [String: String] = [:]
            if let attributes {
                for index in 0..<Int(max(attributeCount, 0)) {
                    let base = index * 5
                    guard let name = attributes[base], let start = attributes[base + 3], let end = attributes[base + 4] else { continue }
                    let value = UnsafeBufferPointer(start: start, count: end - start)
                    pairs[String(cString: name)] = TreeBuilder.attributeValue(value)
                }
            }
            treeBuilder(context).start(String(cString: localName), attributes: pairs)
        }
        sax.endElementNs = { context, _, _, _ in
            guard let context else { return }
            treeBuilder(context).end()
        }
        let characters: charactersSAXFunc = { context, bytes, count in
            guard let context, let bytes, count > 0 else { return }
            treeBuilder(context).characters(UnsafeBufferPointer(start: bytes, count: Int(count)))
        }
        sax.characters = characters
        sax.ignorableWhitespace = characters
        sax.cdataBlock = characters
        // A DOCTYPE is the only way to declare entities: stop before its subset is read.
        sax.internalSubset = { context, _, _, _ in
            guard let context else { return }
            treeBuilder(context).stop(GenesisXMLProblem(.doctype, "a DOCTYPE is not allowed"))
        }
        sax.externalSubset = { context, _, _, _ in
            guard let context else { return }
            treeBuilder(context).stop(GenesisXMLProblem(.doctype, "a DOCTYPE is not allowed"))
        }
        sax.entityDecl = { context, _, _, _, _, _ in
            guard let context else { return }
            treeBuilder(context).stop(GenesisXMLProblem(.doctype, "entity declarations are not allowed"))
        }
        sax.serror = { context, error in
            guard let context, let error, error.pointee.level.rawValue >= XML_ERR_ERROR.rawValue else { return }
            let message = error.pointee.message.map { String(cString: $0) } ?? "malformed XML"
            let trimmed = String(message.reversed().drop { $0.isWhitespace }.reversed())
            treeBuilder(context).stop(GenesisXMLProblem(.malformed, "malformed XML at line \(error.pointee.line): \(trimmed)"))
        }
        return sax
    }

}

private func treeBuilder(_ context: UnsafeMutableRawPointer) -> TreeBuilder {
    Unmanaged<TreeBuilder>.fromOpaque(context).takeUnretainedValue()
}

/// Collects SAX events into a tree for one `parse` call; never shared between calls.
private final class TreeBuilder {
    struct Partial {
        var name: String
        var attributes: [String: String]
        var text: [UInt8] = []
        var children: [GenesisXMLElement] = []
    }

    var context: xmlParserCtxtPtr?
    var stack: [Partial] = []
    var root: GenesisXMLElement?
    var elementCount = 0
    var problem: GenesisXMLProblem?

    func start(_ name: String, attributes: [String: String]) {
        guard problem == nil else { return }
        elementCount += 1
        if elementCount > GenesisXMLReader.maxElements {
            return stop(GenesisXMLProblem(.tooManyElements, "more than \(GenesisXMLReader.maxElements) elements"))
        }
        if stack.count >= GenesisXMLReader.maxDepth {
            return stop(GenesisXMLProblem(.tooDeep, "elements nested deeper than \(GenesisXMLReader.maxDepth)"))
        }
        stack.append(Partial(name: name, attributes: attributes))
    }

    func end() {
        guard problem == nil, let partial = stack.popLast() else { return }
        let text = String(decoding: partial.text, as: UTF8.self).trimmingWhitespace()
        let element = GenesisXMLElement(name: partial.name, attributes: partial.attributes, text: text, children: partial.children)
        if stack.isEmpty {
            root = element
        } else {
            stack[stack.count - 1].children.append(element)
        }
    }

    func characters(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard problem == nil, !stack.isEmpty else { return }
        stack[stack.count - 1].text.append(contentsOf: bytes)
    }

    func stop(_ problem: GenesisXMLProblem) {
        if self.problem == nil { self.problem = problem }
        if let context { xmlStopParser(context) }
    }

    /// Without entity substitution libxml2 hands attribute values over with `&` still written
    /// as `&#38;` (its tree builder decodes that later); decode it here.
    static func attributeValue(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        let value = String(decoding: bytes, as: UTF8.self)
        guard value.contains("&#38;") else { return value }
        return value.replacing("&#38;", with: "&")
    }
}

extension String {
    /// The string without leading and trailing XML whitespace (space, tab, newline, CR).
    func trimmingWhitespace() -> String {
        let isSpace: (Unicode.Scalar) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !isSpace($0) }) else { return "" }
        let last = scalars.lastIndex(where: { !isSpace($0) })!
        return String(scalars[first...last])
    }
}
