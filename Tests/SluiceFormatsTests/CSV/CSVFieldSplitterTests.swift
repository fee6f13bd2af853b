import SluiceFormats
import Testing

struct CSVFieldSplitterTests {
    let comma = CSVFieldSplitter(delimiter: UInt8(ascii: ","))

    @Test(arguments: [
        ("a,b,c", ["a", "b", "c"]),
        (#"1,"Doe, Jane","she said ""hi""""#, ["1", "Doe, Jane", #"she said "hi""#]),
        ("x,\"two\nlines\",", ["x", "two\nlines", ""]),
        ("", [""]),
        (",", ["", ""]),
    ])
    func splitsLikeTheDecoder(record: String, fields: [String]) {
        #expect(comma.split(Array(record.utf8)) == fields)
    }

    @Test func semicolonRecordsSplitOnTheirDelimiter() {
        #expect(CSVFieldSplitter(delimiter: UInt8(ascii: ";")).split(Array("a;b,c;d".utf8)) == ["a", "b,c", "d"])
    }

    @Test func malformedRecordsSplitAsFarAsTheyGoWithoutCrashing() {
        // An unterminated quote keeps the rest of the record in the last field.
        #expect(comma.split(Array("a,\"open,b".utf8)) == ["a", "open,b"])
        // Text after a closing quote stays in its field.
        #expect(comma.split(Array("a,\"q\"x,b".utf8)).count == 3)
        // Invalid UTF-8 becomes replacement characters.
        #expect(comma.split([0x61, 0x2C, 0xFF, 0xFE]) == ["a", "\u{FFFD}\u{FFFD}"])
    }
}
