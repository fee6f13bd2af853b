/// The XML messages of the Genesis API, both ways: what the client sends and reads, and what
/// the gateway simulator reads and answers. Every `…XML` function has a parse counterpart
/// that throws `GenesisWireProblem`.
///
/// ```swift
/// let body = GenesisWire.saleXML(sale)                  // client → gateway
/// let parsed = try GenesisWire.sale(from: try GenesisXMLReader.parse(Array(body.utf8)))
/// ```
public enum GenesisWire {
    /// `transaction_type` of a sale.
    public static let saleType = "sdd_sale"
    /// `transaction_type` of a void.
    public static let voidType = "void"

    /// A `void` request: the gateway `unique_id` voided and the void's own `transaction_id`.
    public struct VoidRequest: Sendable, Hashable {
        public var referenceUniqueID: String
        public var transactionID: String

        public init(referenceUniqueID: String, transactionID: String) {
            self.referenceUniqueID = referenceUniqueID
            self.transactionID = transactionID
        }
    }

    /// A by-date request: `reconcile/by_date` (no `perPage`) or `chargebacks/by_date`.
    public struct DateQuery: Sendable, Hashable {
        public var range: GatewayDateRange
        /// 1-based.
        public var page: Int
        public var perPage: Int?

        public init(range: GatewayDateRange, page: Int, perPage: Int? = nil) {
            self.range = range
            self.page = page
            self.perPage = perPage
        }
    }

    /// The `transaction_type` of a `<payment_transaction>` (`sdd_sale`, `void`), to route it.
    public static func transactionType(of element: GenesisXMLElement) -> String? {
        element.value("transaction_type")
    }

    // MARK: Reading helpers

    static func expectRoot(_ element: GenesisXMLElement, _ name: String) throws {
        guard element.name == name else {
            throw GenesisWireProblem(field: "<\(element.name)>", reason: "expected <\(name)>")
        }
    }

    static func required(_ element: GenesisXMLElement, _ name: String, path: String? = nil) throws -> String {
        guard let value = element.value(name) else {
            throw GenesisWireProblem(field: path ?? name, reason: "missing")
        }
        return value
    }

    static func integer<T: FixedWidthInteger>(_ element: GenesisXMLElement, _ name: String, as type: T.Type = Int.self) throws -> T? {
        guard let text = element.value(name) else { return nil }
        guard let value = T(text) else { throw GenesisWireProblem(field: name, reason: "not an integer") }
        return value
    }

    static func attribute(_ element: GenesisXMLElement, _ name: String) throws -> Int {
        guard let text = element.attributes[name] else {
            throw GenesisWireProblem(field: "\(element.name)@\(name)", reason: "missing")
        }
        guard let value = Int(text), value >= 0 else {
            throw GenesisWireProblem(field: "\(element.name)@\(name)", reason: "not a non-negative integer")
        }
        return value
    }

    static func page(_ element: GenesisXMLElement) throws -> Int {
        let page = try integer(element, "page") ?? 1
        guard page >= 1 else { throw GenesisWireProblem(field: "page", reason: "must be 1 or more") }
        return page
    }
}
