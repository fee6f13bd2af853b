/// Why a gateway document was refused by `GenesisXMLReader`.
public struct GenesisXMLProblem: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// The body is larger than the reader's limit.
        case tooLarge
        /// A DOCTYPE, DTD or entity declaration: refused, so no entity is ever expanded.
        case doctype
        /// Elements nested deeper than the limit.
        case tooDeep
        /// More elements than the limit.
        case tooManyElements
        /// Not UTF-8.
        case notUTF8
        /// Not well-formed XML.
        case malformed
    }

    public var kind: Kind
    /// A short reason, free of document content.
    public var reason: String

    public init(_ kind: Kind, _ reason: String) {
        self.kind = kind
        self.reason = reason
    }

    public var description: String { "gateway XML refused: \(reason)" }
}
