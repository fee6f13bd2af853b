/// One element of a parsed gateway document: a small immutable tree.
public struct GenesisXMLElement: Sendable, Hashable {
    /// The local name (Genesis documents use no namespaces).
    public var name: String
    public var attributes: [String: String]
    /// The element's own text (not its children's), concatenated and trimmed of whitespace.
    public var text: String
    public var children: [GenesisXMLElement]

    public init(name: String, attributes: [String: String] = [:], text: String = "", children: [GenesisXMLElement] = []) {
        self.name = name
        self.attributes = attributes
        self.text = text
        self.children = children
    }

    /// The first child called `name`.
    public func child(_ name: String) -> GenesisXMLElement? {
        children.first { $0.name == name }
    }

    /// The text of the first child called `name`; nil when there is none or its text is empty.
    public func value(_ name: String) -> String? {
        guard let text = child(name)?.text, !text.isEmpty else { return nil }
        return text
    }

    /// Every child called `name`, in document order.
    public func children(named name: String) -> [GenesisXMLElement] {
        children.filter { $0.name == name }
    }
}
