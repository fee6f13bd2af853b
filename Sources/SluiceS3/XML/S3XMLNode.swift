import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// An element of a small XML document (S3 responses), with its text and child elements.
///
/// Namespaces are dropped: S3 puts every element in its own default namespace, and
/// compatible servers differ in whether they declare it.
struct S3XMLNode: Sendable, Equatable {
    var name: String
    var text: String
    var children: [S3XMLNode]

    init(name: String, text: String = "", children: [S3XMLNode] = []) {
        self.name = name
        self.text = text
        self.children = children
    }

    /// The first child element with this name.
    func child(_ name: String) -> S3XMLNode? {
        children.first { $0.name == name }
    }

    /// All child elements with this name, in document order.
    func children(_ name: String) -> [S3XMLNode] {
        children.filter { $0.name == name }
    }

    /// The text of the first child element with this name.
    func text(of name: String) -> String? {
        child(name)?.text
    }

    /// Parses a whole document and returns its root element.
    static func parse(_ bytes: [UInt8]) throws -> S3XMLNode {
        let parser = XMLParser(data: Data(bytes))
        parser.shouldProcessNamespaces = true
        parser.shouldResolveExternalEntities = false
        let builder = TreeBuilder()
        parser.delegate = builder
        guard parser.parse(), let root = builder.root else {
            throw S3XMLError(
                line: parser.lineNumber,
                reason: builder.failure ?? parser.parserError.map { String(describing: $0) } ?? "no root element"
            )
        }
        return root
    }
}

private final class TreeBuilder: NSObject, XMLParserDelegate {
    var stack: [S3XMLNode] = []
    var root: S3XMLNode?
    var failure: String?

    func parser(
        _ parser: XMLParser,
        didStartElement elementName: String,
        namespaceURI: String?,
        qualifiedName qName: String?,
        attributes attributeDict: [String: String] = [:]
    ) {
        stack.append(S3XMLNode(name: elementName))
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        guard !stack.isEmpty else { return }
        stack[stack.count - 1].text += string
    }

    func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
        guard !stack.isEmpty else { return }
        stack[stack.count - 1].text += String(decoding: CDATABlock, as: UTF8.self)
    }

    func parser(
        _ parser: XMLParser,
        didEndElement elementName: String,
        namespaceURI: String?,
        qualifiedName qName: String?
    ) {
        guard let node = stack.popLast() else { return }
        if stack.isEmpty {
            root = node
        } else {
            stack[stack.count - 1].children.append(node)
        }
    }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: any Error) {
        failure = failure ?? String(describing: parseError)
    }
}
