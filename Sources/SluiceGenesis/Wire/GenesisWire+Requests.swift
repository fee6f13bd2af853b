extension GenesisWire {
    // MARK: sdd_sale

    /// The `<payment_transaction>` of an `sdd_sale`.
    public static func saleXML(_ sale: SDDSale) -> String {
        var writer = GenesisXMLWriter(root: "payment_transaction")
        writer.element("transaction_type", saleType)
        writer.element("transaction_id", sale.transactionID)
        writer.element("usage", sale.usage)
        writer.element("remote_ip", sale.remoteIP)
        writer.element("amount", String(sale.amountMinor))
        writer.element("currency", sale.currency)
        writer.element("iban", sale.iban)
        writer.element("bic", sale.bic)
        writer.element("notification_url", sale.notificationURL)
        writer.open("billing_address")
        let address = sale.billingAddress
        writer.element("first_name", address.firstName)
        writer.element("last_name", address.lastName)
        writer.element("address1", address.address1)
        writer.element("zip_code", address.zipCode)
        writer.element("city", address.city)
        writer.element("country", address.country)
        writer.close()
        return writer.finish()
    }

    /// Reads an `sdd_sale` `<payment_transaction>`, checking the fields Genesis requires.
    public static func sale(from element: GenesisXMLElement) throws -> SDDSale {
        try expectRoot(element, "payment_transaction")
        guard transactionType(of: element) == saleType else {
            throw GenesisWireProblem(field: "transaction_type", reason: "expected \(saleType)")
        }
        guard let amount = try integer(element, "amount", as: Int64.self) else {
            throw GenesisWireProblem(field: "amount", reason: "missing")
        }
        guard amount > 0 else { throw GenesisWireProblem(field: "amount", reason: "must be positive") }
        guard let billing = element.child("billing_address") else {
            throw GenesisWireProblem(field: "billing_address", reason: "missing")
        }
        let address = BillingAddress(
            firstName: try required(billing, "first_name", path: "billing_address/first_name"),
            lastName: try required(billing, "last_name", path: "billing_address/last_name"),
            address1: billing.value("address1"), zipCode: billing.value("zip_code"), city: billing.value("city"),
            country: try required(billing, "country", path: "billing_address/country"))
        return SDDSale(
            transactionID: try required(element, "transaction_id"), usage: try required(element, "usage"),
            remoteIP: element.value("remote_ip") ?? "", amountMinor: amount, currency: try required(element, "currency"),
            iban: try required(element, "iban"), bic: element.value("bic"), notificationURL: element.value("notification_url"),
            billingAddress: address)
    }

    // MARK: void

    /// The `<payment_transaction>` of a `void` of the transaction `referenceUniqueID`.
    public static func voidXML(referenceUniqueID: String, transactionID: String) -> String {
        var writer = GenesisXMLWriter(root: "payment_transaction")
        writer.element("transaction_type", voidType)
        writer.element("transaction_id", transactionID)
        writer.element("reference_id", referenceUniqueID)
        return writer.finish()
    }

    /// Reads a `void` `<payment_transaction>`.
    public static func void(from element: GenesisXMLElement) throws -> VoidRequest {
        try expectRoot(element, "payment_transaction")
        guard transactionType(of: element) == voidType else {
            throw GenesisWireProblem(field: "transaction_type", reason: "expected \(voidType)")
        }
        return VoidRequest(referenceUniqueID: try required(element, "reference_id"), transactionID: try required(element, "transaction_id"))
    }

    // MARK: reconcile

    /// `<reconcile>` of one transaction, by `unique_id` or `transaction_id`.
    public static func reconcileXML(_ reference: TransactionReference) -> String {
        var writer = GenesisXMLWriter(root: "reconcile")
        switch reference {
        case .uniqueID(let id): writer.element("unique_id", id)
        case .transactionID(let id): writer.element("transaction_id", id)
        }
        return writer.finish()
    }

    /// Reads a `<reconcile>` of one transaction; `unique_id` wins when both are given.
    public static func reconcile(from element: GenesisXMLElement) throws -> TransactionReference {
        try expectRoot(element, "reconcile")
        if let id = element.value("unique_id") { return .uniqueID(id) }
        if let id = element.value("transaction_id") { return .transactionID(id) }
        throw GenesisWireProblem(field: "unique_id", reason: "missing, and no transaction_id either")
    }

    /// `<reconcile>` of one page of the transactions in `range` (`reconcile/by_date`).
    public static func reconcileByDateXML(_ range: GatewayDateRange, page: Int) -> String {
        var writer = GenesisXMLWriter(root: "reconcile")
        writer.element("start_date", range.startDate)
        writer.element("end_date", range.endDate)
        writer.element("page", String(page))
        return writer.finish()
    }

    /// Reads a `reconcile/by_date` request; `page` defaults to 1.
    public static func reconcileByDate(from element: GenesisXMLElement) throws -> DateQuery {
        try expectRoot(element, "reconcile")
        let range = GatewayDateRange(startDate: try required(element, "start_date"), endDate: try required(element, "end_date"))
        return DateQuery(range: range, page: try page(element))
    }

    // MARK: chargebacks/by_date

    /// `<chargeback_request>` of one page of the chargebacks posted in `range`.
    public static func chargebacksByDateXML(_ range: GatewayDateRange, page: Int, perPage: Int) -> String {
        var writer = GenesisXMLWriter(root: "chargeback_request")
        writer.element("start_date", range.startDate)
        writer.element("end_date", range.endDate)
        writer.element("page", String(page))
        writer.element("per_page", String(perPage))
        return writer.finish()
    }

    /// Reads a `chargebacks/by_date` request; `import_date` stands in for `start_date`,
    /// `page` defaults to 1 and `per_page` to 100.
    public static func chargebacksByDate(from element: GenesisXMLElement) throws -> DateQuery {
        try expectRoot(element, "chargeback_request")
        guard let start = element.value("start_date") ?? element.value("import_date") else {
            throw GenesisWireProblem(field: "start_date", reason: "missing, and no import_date either")
        }
        let range = GatewayDateRange(startDate: start, endDate: try required(element, "end_date"))
        let perPage = try integer(element, "per_page") ?? 100
        guard perPage >= 1 else { throw GenesisWireProblem(field: "per_page", reason: "must be 1 or more") }
        return DateQuery(range: range, page: try page(element), perPage: perPage)
    }
}
