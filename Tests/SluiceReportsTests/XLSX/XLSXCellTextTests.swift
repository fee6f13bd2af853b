import SluiceReports
import Testing

struct XLSXCellTextTests {
    @Test func longTextIsCutAtExcelsLimitWithAMarker() {
        let text = XLSXCellText.sanitise(String(repeating: "€", count: 40_000))
        #expect(text.utf16.count <= XLSXCellText.maximumLength)
        #expect(text.hasSuffix(XLSXCellText.truncationMarker))
    }

    @Test func surrogatePairsAreNotSplitAndNulBecomesAReplacementCharacter() {
        let text = XLSXCellText.sanitise(String(repeating: "😀", count: 20_000))
        #expect(text.utf16.count <= XLSXCellText.maximumLength)
        #expect(text.unicodeScalars.allSatisfy { $0 == "😀" || XLSXCellText.truncationMarker.unicodeScalars.contains($0) })
        #expect(XLSXCellText.sanitise("a\0b") == "a\u{FFFD}b")
        #expect(XLSXCellText.sanitise("plain") == "plain")
    }

    @Test func sanitisedSaysWhetherTheTextWasCut() {
        #expect(XLSXCellText.sanitised(String(repeating: "a", count: XLSXCellText.maximumLength)).truncated == false)
        let cut = XLSXCellText.sanitised(String(repeating: "a", count: XLSXCellText.maximumLength + 1))
        #expect(cut.truncated)
        #expect(cut.text.utf16.count == XLSXCellText.maximumLength)
    }
}
