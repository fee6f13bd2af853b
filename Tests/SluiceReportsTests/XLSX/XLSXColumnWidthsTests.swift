import SluiceReports
import Testing

struct XLSXColumnWidthsTests {
    @Test func widthsFollowTheLongestTextWithinLimits() {
        var widths = XLSXColumnWidths(header: ["id", "a_rather_long_header_name", "x"])
        widths.measure(["1", "short", String(repeating: "y", count: 500)])
        widths.measure(["12345678901234567890", "", ""])
        #expect(widths.widths == [22, 27, 50])
    }

    @Test func theLongestLineOfAMultilineCellCounts() {
        var widths = XLSXColumnWidths(header: ["a"])
        widths.measure(["Rue de la Loi 16\nBoîte 3 and a much longer second line"])
        #expect(widths.widths == [Double("Boîte 3 and a much longer second line".count + 2)])
    }

    @Test func extraCellsAreIgnored() {
        var widths = XLSXColumnWidths(header: ["a"])
        widths.measure(["b", "an extra cell"])
        #expect(widths.widths == [10])
    }
}
