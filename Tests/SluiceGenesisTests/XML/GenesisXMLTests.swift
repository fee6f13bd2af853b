import Testing

@testable import SluiceGenesis

struct GenesisXMLWriterTests {
    static let hostileValues = [
        "</iban><amount>1", "Tom & Jerry", #"say "hi" and 'bye'"#, "a <b> c", "Zoë Ñúñez-Øster 山田 🙂", "&amp; stays &amp;",
        "line one\nline two\ttabbed\r\nwindows", "]]> not a CDATA end", "&#38; written out",
    ]

    @Test(arguments: hostileValues)
    func hostileTextRoundTripsThroughTheReader(_ value: String) throws {
        var writer = GenesisXMLWriter(root: "payment_transaction")
        writer.element("iban", value)
        writer.element("amount", "100")
        let root = try GenesisXMLReader.parse(Array(writer.finish().utf8))
        #expect(root.children.map(\.name) == ["iban", "amount"])
        #expect(root.value("iban") == value)
        #expect(root.value("amount") == "100")
    }

    @Test(arguments: hostileValues)
    func hostileAttributeRoundTripsThroughTheReader(_ value: String) throws {
        let writer = GenesisXMLWriter(root: "payment_responses", attributes: [("page", value), ("per_page", "100")])
        let root = try GenesisXMLReader.parse(Array(writer.finish().utf8))
        #expect(root.attributes == ["page": value, "per_page": "100"])
    }

    @Test func controlCharactersAreDroppedSoTheDocumentStaysWellFormed() throws {
        var writer = GenesisXMLWriter(root: "r")
        writer.element("name", "A\u{0}B\u{1}C\u{8}D\u{1B}E\u{7F}F\u{FFFE}")
        let root = try GenesisXMLReader.parse(Array(writer.finish().utf8))
        #expect(root.value("name") == "ABCDE\u{7F}F")
    }

    @Test func nilValuesAreLeftOutAndOpenElementsAreClosed() throws {
        var writer = GenesisXMLWriter(root: "payment_transaction")
        writer.element("bic", nil)
        writer.open("billing_address")
        writer.element("country", "DE")
        let xml = writer.finish()
        #expect(xml.hasPrefix(#"<?xml version="1.0" encoding="UTF-8"?>"#))
        #expect(!xml.contains("bic"))
        #expect(xml.hasSuffix("<billing_address><country>DE</country></billing_address></payment_transaction>"))
    }
}

struct GenesisXMLReaderTests {
    private func problem(_ text: String, maxBytes: Int = GenesisXMLReader.defaultMaxBytes) -> GenesisXMLProblem? {
        problem(Array(text.utf8), maxBytes: maxBytes)
    }

    private func problem(_ bytes: [UInt8], maxBytes: Int = GenesisXMLReader.defaultMaxBytes) -> GenesisXMLProblem? {
        do {
            _ = try GenesisXMLReader.parse(bytes, maxBytes: maxBytes)
            return nil
        } catch let problem as GenesisXMLProblem {
            return problem
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }

    @Test func readsATreeWithTextAttributesAndChildren() throws {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <payment_responses page="2" pages_count="3">
              <payment_response><status> approved </status><message><![CDATA[a < b]]></message><empty/></payment_response>
              <payment_response><status>declined</status></payment_response>
            </payment_responses>
            """
        let root = try GenesisXMLReader.parse(Array(xml.utf8))
        #expect(root.name == "payment_responses")
        #expect(root.attributes == ["page": "2", "pages_count": "3"])
        #expect(root.text.isEmpty)
        let items = root.children(named: "payment_response")
        #expect(items.count == 2)
        #expect(items[0].value("status") == "approved")
        #expect(items[0].value("message") == "a < b")
        #expect(items[0].child("empty") != nil)
        #expect(items[0].value("empty") == nil)
        #expect(items[0].value("absent") == nil)
        #expect(items[1].value("status") == "declined")
    }

    @Test func refusesTheBillionLaughs() {
        let xml = """
            <?xml version="1.0"?>
            <!DOCTYPE lolz [
              <!ENTITY lol "lol">
              <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
              <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
              <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
            ]>
            <payment_response><message>&lol4;</message></payment_response>
            """
        #expect(problem(xml)?.kind == .doctype)
    }

    @Test func refusesAnExternalEntity() {
        let xml = """
            <?xml version="1.0"?>
            <!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
            <payment_response><message>&xxe;</message></payment_response>
            """
        #expect(problem(xml)?.kind == .doctype)
        #expect(problem(#"<!DOCTYPE r SYSTEM "http://127.0.0.1:1/x.dtd"><r/>"#)?.kind == .doctype)
    }

    @Test func refusesAnUndeclaredEntityAsMalformed() {
        #expect(problem("<r>&nbsp;</r>")?.kind == .malformed)
    }

    @Test func refusesABodyOverTheLimitBeforeParsing() {
        let body = [UInt8]("<r>".utf8) + [UInt8](repeating: UInt8(ascii: "a"), count: 2000) + [UInt8]("</r>".utf8)
        let refused = problem(body, maxBytes: 1000)
        #expect(refused?.kind == .tooLarge)
        #expect(refused?.reason.contains("1000") == true)
        #expect(problem(body, maxBytes: 4000) == nil)
    }

    @Test func refusesNestingDeeperThan32() {
        func nested(_ depth: Int) -> String {
            String(repeating: "<a>", count: depth) + String(repeating: "</a>", count: depth)
        }
        #expect(problem(nested(32)) == nil)
        #expect(problem(nested(33))?.kind == .tooDeep)
    }

    @Test func refusesMoreThan100000Elements() {
        let many = "<r>" + String(repeating: "<a/>", count: 100_000) + "</r>"
        #expect(problem(many)?.kind == .tooManyElements)
        let enough = "<r>" + String(repeating: "<a/>", count: 99_999) + "</r>"
        #expect(problem(enough) == nil)
    }

    @Test(arguments: ["", "not xml", "<r>", "<r></s>", "<r/><r/>", "<r a='1' a='2'/>", "<r>\u{1}</r>"])
    func refusesMalformedDocuments(_ text: String) {
        #expect(problem(text)?.kind == .malformed)
    }

    @Test func refusesBytesThatAreNotUTF8() {
        let latin1: [UInt8] = Array(#"<?xml version="1.0" encoding="ISO-8859-1"?><r>"#.utf8) + [0xE9] + Array("</r>".utf8)
        #expect(problem(latin1)?.kind == .notUTF8)
        let utf16: [UInt8] = [0xFF, 0xFE] + Array("<r/>".utf8).flatMap { [$0, 0] }
        #expect(problem(utf16)?.kind == .notUTF8)
    }

    @Test func aDeclaredEncodingDoesNotChangeHowUTF8IsRead() throws {
        let xml = #"<?xml version="1.0" encoding="ISO-8859-1"?><r>Zoë</r>"#
        #expect(try GenesisXMLReader.parse(Array(xml.utf8)).text == "Zoë")
    }

    @Test func parsesOnManyThreadsAtOnce() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<64 {
                group.addTask {
                    var writer = GenesisXMLWriter(root: "r")
                    writer.element("n", String(index))
                    let root = try GenesisXMLReader.parse(Array(writer.finish().utf8))
                    #expect(root.value("n") == String(index))
                    #expect(self.problem("<!DOCTYPE r><r/>")?.kind == .doctype)
                }
            }
            try await group.waitForAll()
        }
    }
}
