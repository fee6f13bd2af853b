import Testing

@testable import SluiceFormats

struct CellTextTests {
    static func number(_ text: String) -> String {
        var out: [UInt8] = []
        Array(text.utf8).withUnsafeBufferPointer { CellText.appendNumber($0, to: &out) }
        return String(decoding: out, as: UTF8.self)
    }

    @Test(arguments: [
        ("10", "10"), ("10.0", "10"), ("0.3", "0.3"), ("1234.56", "1234.56"), ("-42.5", "-42.5"),
        ("0.30000000000000004", "0.30000000000000004"), ("0.29999999999999999", "0.3"), ("1E+20", "100000000000000000000"),
        ("1.5E-7", "0.00000015"), ("2.9999999999999998E-2", "0.03"), ("0", "0"), ("-0", "0"), ("123456789012345678", "123456789012345680"),
        ("007", "7"), ("1e3", "1000"),
    ])
    func numbersAreShortestRoundTripWithoutExponent(stored: String, text: String) {
        #expect(Self.number(stored) == text)
    }

    static func date(_ serial: Double, _ kind: DateKind, date1904: Bool = false) -> String? {
        var out: [UInt8] = []
        guard CellText.appendDate(serial: serial, kind: kind, date1904: date1904, to: &out) else { return nil }
        return String(decoding: out, as: UTF8.self)
    }

    @Test func the1900SystemKeepsExcelsLeapYearBug() {
        #expect(Self.date(1, .date) == "1900-01-01")
        #expect(Self.date(59, .date) == "1900-02-28")
        #expect(Self.date(60, .date) == "1900-02-29")
        #expect(Self.date(61, .date) == "1900-03-01")
        #expect(Self.date(45306, .date) == "2024-01-15")
        #expect(Self.date(45306.75, .dateTime) == "2024-01-15T18:00:00")
        #expect(Self.date(45306.999999999, .dateTime) == "2024-01-16T00:00:00")
        #expect(Self.date(0.5, .time) == "12:00:00")
        #expect(Self.date(-1, .date) == nil)
    }

    @Test func the1904SystemStartsIn1904() {
        #expect(Self.date(0, .date, date1904: true) == "1904-01-01")
        #expect(Self.date(43844, .date, date1904: true) == "2024-01-15")
    }

    @Test(arguments: [
        ("dd.mm.yyyy", DateKind.date), ("yyyy-mm-dd hh:mm:ss", .dateTime), ("h:mm", .time), ("[h]:mm:ss", .time),
        ("mmm-yy", .date), ("#,##0.00", .none), ("0.00 \"days\"", .none), ("[Red]0.00", .none), ("General", .none),
        ("[$-409]d/m/yy\\ h:mm;@", .dateTime), ("@", .none), ("0.00E+00", .none),
    ])
    func customFormatsAreDatesWhenTheyHaveDateLetters(code: String, kind: DateKind) {
        #expect(CellStyles.kind(ofFormatCode: code) == kind)
    }

    @Test func builtInDateFormats() {
        #expect((14...22).allSatisfy { CellStyles.builtInKind($0) != .none })
        #expect((45...47).allSatisfy { CellStyles.builtInKind($0) != .none })
        #expect([0, 1, 2, 4, 10, 13, 23, 44, 48, 49].allSatisfy { CellStyles.builtInKind($0) == .none })
    }

    @Test func columnReferences() {
        func column(_ text: String) -> Int? { Array(text.utf8).withUnsafeBufferPointer { SheetHandler.column(ofReference: $0) } }
        #expect(column("A1") == 0)
        #expect(column("Z9") == 25)
        #expect(column("AA10") == 26)
        #expect(column("XFD1") == 16383)
        #expect(SheetHandler.columnLetters(16383) == "XFD")
        #expect(SheetHandler.columnLetters(27) == "AB")
    }
}
