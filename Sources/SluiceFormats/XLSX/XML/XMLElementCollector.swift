/// Collects the elements of a small part (workbook, relationships, styles) with their
/// attributes and the name of their parent: enough to read them without a DOM.
final class XMLElementCollector: XMLHandler {
    struct Element {
        var name: String
        var parent: String?
        var attributes: [String: String]
    }

    private(set) var elements: [Element] = []
    private var stack: [String] = []
    let maxElements: Int

    init(maxElements: Int = 4_000_000) {
        self.maxElements = maxElements
    }

    override func startElement(_ name: UnsafePointer<UInt8>, _ attributes: XMLAttributes) {
        let text = XMLName.string(name)
        guard elements.count < maxElements else { return stop("too many elements") }
        elements.append(Element(name: text, parent: stack.last, attributes: attributes.all()))
        stack.append(text)
    }

    override func endElement(_ name: UnsafePointer<UInt8>) {
        _ = stack.popLast()
    }
}
