extension GenesisWire {
    // MARK: payment_response

    /// The `<payment_response>` for one transaction; nil fields are left out.
    public static func responseXML(_ transaction: GatewayTransaction) -> String {
        var writer = GenesisXMLWriter(root: "payment_response")
        writeResponseFields(transaction, into: &writer)
        return writer.finish()
    }

    /// An error answer, as Genesis gives it: a `<payment_response>` with status `error`.
    ///
    /// ```swift
    /// GenesisWire.errorXML(code: GenesisErrorCode.notFound, message: "Transaction not found")
    /// ```
    public static func errorXML(
        code: Int, message: String, technicalMessage: String? = nil, transactionType: String = "", transactionID: String? = nil
    ) -> String {
        responseXML(GatewayTransaction(
            transactionType: transactionType, status: .error, transactionID: transactionID, code: code, message: message,
            technicalMessage: technicalMessage))
    }

    /// Reads a `<payment_response>`. `transaction_type` may be missing only from an error answer.
    public static func transaction(from element: GenesisXMLElement) throws -> GatewayTransaction {
        try expectRoot(element, "payment_response")
        let statusText = try required(element, "status")
        guard let status = GatewayStatus(rawValue: statusText) else {
            throw GenesisWireProblem(field: "status", reason: "unknown status")
        }
        let type = status == .error ? element.value("transaction_type") ?? "" : try required(element, "transaction_type")
        return GatewayTransaction(
            transactionType: type, status: status, uniqueID: element.value("unique_id"), transactionID: element.value("transaction_id"),
            code: try integer(element, "code"), message: element.value("message"), technicalMessage: element.value("technical_message"),
            reasonCode: element.value("reason_code"), timestamp: element.value("timestamp"),
            amountMinor: try integer(element, "amount", as: Int64.self), currency: element.value("currency"))
    }

    private static func writeResponseFields(_ transaction: GatewayTransaction, into writer: inout GenesisXMLWriter) {
        writer.element("transaction_type", transaction.transactionType.isEmpty ? nil : transaction.transactionType)
        writer.element("status", transaction.status.rawValue)
        writer.element("unique_id", transaction.uniqueID)
        writer.element("transaction_id", transaction.transactionID)
        writer.element("code", transaction.code.map(String.init))
        writer.element("message", transaction.message)
        writer.element("technical_message", transaction.technicalMessage)
        writer.element("reason_code", transaction.reasonCode)
        writer.element("timestamp", transaction.timestamp)
        writer.element("amount", transaction.amountMinor.map(String.init))
        writer.element("currency", transaction.currency)
    }

    // MARK: Pages

    /// `<payment_responses per_page page total_count pages_count>`: one page of `reconcile/by_date`.
    public static func transactionsPageXML(_ page: GatewayPage<GatewayTransaction>) -> String {
        var writer = GenesisXMLWriter(root: "payment_responses", attributes: pageAttributes(page))
        for transaction in page.items {
            writer.open("payment_response")
            writeResponseFields(transaction, into: &writer)
            writer.close()
        }
        return writer.finish()
    }

    /// Reads a `<payment_responses>` page.
    public static func transactionsPage(from element: GenesisXMLElement) throws -> GatewayPage<GatewayTransaction> {
        try expectRoot(element, "payment_responses")
        let items = try element.children(named: "payment_response").map(transaction(from:))
        return try page(of: items, element)
    }

    /// `<chargeback_responses per_page page total_count pages_count>`: one page of `chargebacks/by_date`.
    public static func chargebacksPageXML(_ page: GatewayPage<GatewayChargeback>) -> String {
        var writer = GenesisXMLWriter(root: "chargeback_responses", attributes: pageAttributes(page))
        for chargeback in page.items {
            writer.open("chargeback_response")
            writer.element("type", chargeback.type)
            writer.element("post_date", chargeback.postDate)
            writer.element("reason_code", chargeback.reasonCode)
            writer.element("reason_description", chargeback.reasonDescription)
            writer.element("original_transaction_unique_id", chargeback.originalTransactionUniqueID)
            writer.element("amount", chargeback.amountMinor.map(String.init))
            writer.element("currency", chargeback.currency)
            writer.close()
        }
        return writer.finish()
    }

    /// Reads a `<chargeback_responses>` page.
    public static func chargebacksPage(from element: GenesisXMLElement) throws -> GatewayPage<GatewayChargeback> {
        try expectRoot(element, "chargeback_responses")
        let items = try element.children(named: "chargeback_response").map { item in
            GatewayChargeback(
                originalTransactionUniqueID: try required(item, "original_transaction_unique_id"),
                reasonCode: try required(item, "reason_code"), reasonDescription: item.value("reason_description"),
                amountMinor: try integer(item, "amount", as: Int64.self), currency: item.value("currency"), type: item.value("type"),
                postDate: item.value("post_date"))
        }
        return try page(of: items, element)
    }

    private static func pageAttributes<Item>(_ page: GatewayPage<Item>) -> [(String, String)] {
        [("per_page", String(page.perPage)), ("page", String(page.page)),
         ("total_count", String(page.totalCount)), ("pages_count", String(page.pagesCount))]
    }

    private static func page<Item>(of items: [Item], _ element: GenesisXMLElement) throws -> GatewayPage<Item> {
        GatewayPage(
            items: items, page: try attribute(element, "page"), pagesCount: try attribute(element, "pages_count"),
            perPage: try attribute(element, "per_page"), totalCount: try attribute(element, "total_count"))
    }
}
