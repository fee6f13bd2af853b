import Testing

@testable import SluiceGenesis

struct GenesisWireTests {
    static let sale = SDDSale(
        transactionID: "inv-2024-0001-a1", usage: "Membership </usage> & more", remoteIP: "203.0.113.7", amountMinor: 1999,
        currency: "EUR", iban: "DE89370400440532013000", bic: "COBADEFFXXX", notificationURL: "https://sluice.example/n?a=1&b=2",
        billingAddress: BillingAddress(
            firstName: "Zoë", lastName: "O'Brien", address1: "Hauptstraße 1", zipCode: "10115", city: "Berlin", country: "DE"))

    private func tree(_ xml: String) throws -> GenesisXMLElement {
        try GenesisXMLReader.parse(Array(xml.utf8))
    }

    @Test func saleRoundTrips() throws {
        let xml = GenesisWire.saleXML(Self.sale)
        let root = try tree(xml)
        #expect(root.name == "payment_transaction")
        #expect(GenesisWire.transactionType(of: root) == "sdd_sale")
        #expect(root.value("amount") == "1999")
        #expect(root.child("billing_address")?.value("country") == "DE")
        #expect(try GenesisWire.sale(from: root) == Self.sale)
    }

    @Test func saleWithoutOptionalFieldsRoundTrips() throws {
        let sale = SDDSale(
            transactionID: "t1", usage: "u", amountMinor: 1, currency: "EUR", iban: "NL91ABNA0417164300",
            billingAddress: BillingAddress(firstName: "A", lastName: "B", country: "NL"))
        let xml = GenesisWire.saleXML(sale)
        #expect(!xml.contains("<bic>") && !xml.contains("notification_url") && !xml.contains("city"))
        #expect(try GenesisWire.sale(from: tree(xml)) == sale)
    }

    @Test(arguments: [
        ("<transaction_id>t</transaction_id>", "transaction_id"),
        ("<amount>1999</amount>", "amount"),
        ("<iban>DE89370400440532013000</iban>", "iban"),
        ("<country>DE</country>", "billing_address/country"),
        ("<first_name>Zoë</first_name>", "billing_address/first_name"),
    ])
    func saleNamesAMissingField(_ removed: String, _ field: String) throws {
        var xml = GenesisWire.saleXML(Self.sale)
        if removed.hasPrefix("<transaction_id>") {
            xml = xml.replacing(#/<transaction_id>[^<]*</transaction_id>/#, with: "")
        } else {
            xml = xml.replacing(removed, with: "")
        }
        let problem = #expect(throws: GenesisWireProblem.self) { try GenesisWire.sale(from: tree(xml)) }
        #expect(problem?.field == field)
        #expect(problem?.reason == "missing")
    }

    @Test(arguments: ["12.50", "-5", "0", "lots"])
    func saleRefusesAnInvalidAmount(_ amount: String) throws {
        let xml = GenesisWire.saleXML(Self.sale).replacing("<amount>1999</amount>", with: "<amount>\(amount)</amount>")
        let problem = #expect(throws: GenesisWireProblem.self) { try GenesisWire.sale(from: tree(xml)) }
        #expect(problem?.field == "amount")
    }

    @Test func saleRefusesAVoidAndTheWrongRoot() throws {
        let void = try tree(GenesisWire.voidXML(referenceUniqueID: "u1", transactionID: "v1"))
        #expect(throws: GenesisWireProblem.self) { try GenesisWire.sale(from: void) }
        let reconcile = try tree(GenesisWire.reconcileXML(.uniqueID("u1")))
        let problem = #expect(throws: GenesisWireProblem.self) { try GenesisWire.sale(from: reconcile) }
        #expect(problem?.field == "<reconcile>")
    }

    @Test func voidRoundTrips() throws {
        let root = try tree(GenesisWire.voidXML(referenceUniqueID: "44177a21403427eb96664a6d7e5d5d48", transactionID: "void-1"))
        #expect(GenesisWire.transactionType(of: root) == "void")
        #expect(try GenesisWire.void(from: root) == GenesisWire.VoidRequest(referenceUniqueID: "44177a21403427eb96664a6d7e5d5d48", transactionID: "void-1"))
        let sale = try tree(GenesisWire.saleXML(Self.sale))
        #expect(throws: GenesisWireProblem.self) { try GenesisWire.void(from: sale) }
    }

    @Test(arguments: [TransactionReference.uniqueID("abc123"), .transactionID("inv-1 & <2>")])
    func reconcileRoundTrips(_ reference: TransactionReference) throws {
        #expect(try GenesisWire.reconcile(from: tree(GenesisWire.reconcileXML(reference))) == reference)
    }

    @Test func reconcileWithoutAnIDIsAProblem() throws {
        let problem = #expect(throws: GenesisWireProblem.self) { try GenesisWire.reconcile(from: tree("<reconcile/>")) }
        #expect(problem?.field == "unique_id")
    }

    @Test func reconcileByDateRoundTrips() throws {
        let range = GatewayDateRange(startDate: "2024-05-01", endDate: "2024-05-31")
        let query = try GenesisWire.reconcileByDate(from: tree(GenesisWire.reconcileByDateXML(range, page: 3)))
        #expect(query == GenesisWire.DateQuery(range: range, page: 3))
        let firstPage = try GenesisWire.reconcileByDate(
            from: tree("<reconcile><start_date>2024-05-01</start_date><end_date>2024-05-02</end_date></reconcile>"))
        #expect(firstPage.page == 1)
        #expect(throws: GenesisWireProblem.self) {
            try GenesisWire.reconcileByDate(from: tree("<reconcile><start_date>2024-05-01</start_date><end_date>x</end_date><page>0</page></reconcile>"))
        }
    }

    @Test func chargebacksByDateRoundTrips() throws {
        let range = GatewayDateRange(startDate: "2024-05-01", endDate: "2024-05-31")
        let query = try GenesisWire.chargebacksByDate(from: tree(GenesisWire.chargebacksByDateXML(range, page: 2, perPage: 50)))
        #expect(query == GenesisWire.DateQuery(range: range, page: 2, perPage: 50))
        let byImport = try GenesisWire.chargebacksByDate(
            from: tree("<chargeback_request><import_date>2024-05-01</import_date><end_date>2024-05-02</end_date></chargeback_request>"))
        #expect(byImport == GenesisWire.DateQuery(range: GatewayDateRange(startDate: "2024-05-01", endDate: "2024-05-02"), page: 1, perPage: 100))
    }

    static let approved = GatewayTransaction(
        transactionType: "sdd_sale", status: .approved, uniqueID: "44177a21403427eb96664a6d7e5d5d48", transactionID: "inv-1", code: 0,
        message: "TESTMODE: No real money will be transferred!", technicalMessage: "TESTMODE", timestamp: "2024-05-02T10:11:12Z",
        amountMinor: 1999, currency: "EUR")
    static let declined = GatewayTransaction(
        transactionType: "sdd_sale", status: .declined, uniqueID: "u2", transactionID: "inv-2", code: 510, message: "declined",
        reasonCode: "AM04", amountMinor: 500, currency: "EUR")

    @Test(arguments: [approved, declined, GatewayTransaction(transactionType: "void", status: .voided)])
    func responseRoundTrips(_ transaction: GatewayTransaction) throws {
        #expect(try GenesisWire.transaction(from: tree(GenesisWire.responseXML(transaction))) == transaction)
    }

    @Test func everyStatusRoundTrips() throws {
        for status in GatewayStatus.allCases {
            let transaction = GatewayTransaction(transactionType: "sdd_sale", status: status, uniqueID: "u")
            #expect(try GenesisWire.transaction(from: tree(GenesisWire.responseXML(transaction))) == transaction)
        }
    }

    @Test func errorAnswerRoundTrips() throws {
        let xml = GenesisWire.errorXML(code: GenesisErrorCode.doublet, message: "Transaction already exists", technicalMessage: "doublet <id>")
        let transaction = try GenesisWire.transaction(from: tree(xml))
        #expect(transaction.status == .error)
        #expect(transaction.transactionType == "")
        #expect(transaction.isDoublet)
        #expect(transaction.technicalMessage == "doublet <id>")
    }

    @Test func unknownStatusIsAProblem() throws {
        let xml = "<payment_response><transaction_type>sdd_sale</transaction_type><status>maybe</status></payment_response>"
        let problem = #expect(throws: GenesisWireProblem.self) { try GenesisWire.transaction(from: tree(xml)) }
        #expect(problem?.field == "status")
        let noType = "<payment_response><status>approved</status></payment_response>"
        #expect(throws: GenesisWireProblem.self) { try GenesisWire.transaction(from: tree(noType)) }
    }

    @Test func transactionsPageRoundTrips() throws {
        let page = GatewayPage(items: [Self.approved, Self.declined], page: 2, pagesCount: 3, perPage: 2, totalCount: 6)
        let xml = GenesisWire.transactionsPageXML(page)
        #expect(xml.contains(#"<payment_responses per_page="2" page="2" total_count="6" pages_count="3">"#))
        #expect(try GenesisWire.transactionsPage(from: tree(xml)) == page)
        let empty = GatewayPage<GatewayTransaction>(items: [], page: 1, pagesCount: 1, perPage: 100, totalCount: 0)
        #expect(try GenesisWire.transactionsPage(from: tree(GenesisWire.transactionsPageXML(empty))) == empty)
    }

    @Test func chargebacksPageRoundTrips() throws {
        let page = GatewayPage(
            items: [
                GatewayChargeback(
                    originalTransactionUniqueID: "u1", reasonCode: "MD06", reasonDescription: "Refund request by end customer",
                    amountMinor: 1999, currency: "EUR", type: "1st Chargeback", postDate: "2024-05-10"),
                GatewayChargeback(originalTransactionUniqueID: "u2", reasonCode: "AM04"),
            ], page: 1, pagesCount: 1, perPage: 100, totalCount: 2)
        let xml = GenesisWire.chargebacksPageXML(page)
        #expect(xml.contains("<chargeback_responses "))
        #expect(try GenesisWire.chargebacksPage(from: tree(xml)) == page)
    }

    @Test func pageWithoutCountsIsAProblem() throws {
        let problem = #expect(throws: GenesisWireProblem.self) {
            try GenesisWire.transactionsPage(from: tree(#"<payment_responses page="1" per_page="100" total_count="0"/>"#))
        }
        #expect(problem?.field == "payment_responses@pages_count")
    }
}
