import SluiceCore
import Testing

/// Stage effects written as COPY text at once.
struct CopyTextRowsTests {
    @Test func fieldsAreEscapedAndReadBack() {
        var text = CopyTextRows()
        text.plainField("42")
        text.field("tab\there, new\nline, cr\r, back\\slash, \\x41")
        text.field(nil)
        text.field("")
        text.endRow()
        text.field("Müller")
        text.plainField("7")
        text.field(nil)
        text.field("end")
        text.endRow()
        #expect(String(decoding: text.bytes, as: UTF8.self)
            == "42\ttab\\there, new\\nline, cr\\r, back\\\\slash, \\\\x41\t\\N\t\nMüller\t7\t\\N\tend\n")
        #expect(CopyTextRows.parse(text.bytes) == [
            ["42", "tab\there, new\nline, cr\r, back\\slash, \\x41", nil, ""],
            ["Müller", "7", nil, "end"],
        ])
    }

    @Test func anEffectReadsTheSameInEitherForm() {
        var text = CopyTextRows()
        text.field("a")
        text.field(nil)
        text.endRow()
        let encoded = StageEffect(table: "s.t", columns: ["x", "y"], copyText: text)
        let plain = StageEffect(table: "s.t", columns: ["x", "y"], rows: [["a", nil]])
        #expect(encoded.textRows == plain.textRows)
        #expect(plain.copyText == nil && encoded.rows.isEmpty)
    }
}
