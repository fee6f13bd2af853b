import Foundation
import SluiceCore
import Testing

@testable import SluiceFormats

/// One test per kind of hostile or wrong file: each is refused with an error naming the file
/// and what is wrong, before memory can grow.
struct XLSXHostileFileTests {
    func refusal(_ name: String, limits: XLSXLimits = XLSXLimits()) async -> SluiceError? {
        await #expect(throws: SluiceError.self) {
            _ = try await XLSXFixtures.decode(XLSXFixtures.file(name), limits: limits)
        }
    }

    func expectRefused(_ name: String, saying text: String, limits: XLSXLimits = XLSXLimits()) async {
        let error = await refusal(name, limits: limits)
        #expect(error?.code == .format)
        #expect(error?.stage == "parse")
        #expect(error?.object?.hasSuffix(name) == true, "the error names the file")
        #expect(error?.description.contains(text) == true, "\(error?.description ?? "no error") should say \(text)")
    }

    @Test func aZipBombIsRefusedByItsDeclaredRatio() async {
        await expectRefused("hostile/bomb-ratio.xlsx", saying: "compression ratio of 1027:1, more than the limit of 200:1 (zip bomb?)")
    }

    @Test func aZipBombLyingAboutItsSizeIsCaughtWhileInflating() async {
        await expectRefused("hostile/bomb-lying-size.xlsx", saying: "inflates to more than the 1024 bytes its directory entry declares")
    }

    @Test func theInflatedRatioIsCheckedEvenWhenTheDeclaredSizeIsNotChecked() async {
        var limits = XLSXLimits()
        limits.maxCompressionRatio = 50
        limits.ratioGraceBytes = 1 << 20
        // Declared 200 MB at 1027:1 is refused up front; raise the declared check out of the way
        // by reading the lying file, whose inflated bytes cross the ratio before its size.
        await expectRefused("hostile/bomb-lying-size.xlsx", saying: "zip bomb?", limits: limits)
    }

    @Test func theAbsoluteSheetSizeLimitApplies() async {
        var limits = XLSXLimits()
        limits.maxSheetBytes = 500
        await expectRefused("xlsxwriter-normal.xlsx", saying: "more than the limit of 500 (zip bomb?)", limits: limits)
    }

    @Test func externalEntitiesAreRefusedAsDTDs() async {
        await expectRefused("hostile/xxe.xlsx", saying: "xl/worksheets/sheet1.xml: DTDs are not allowed in XLSX parts")
    }

    @Test func entityExpansionIsRefusedAsDTDs() async {
        await expectRefused("hostile/billion-laughs.xlsx", saying: "xl/sharedStrings.xml: DTDs are not allowed in XLSX parts")
    }

    @Test(arguments: ["hostile/traversal.xlsx", "hostile/traversal-backslash.xlsx"])
    func pathTraversalInEntryNamesIsRefused(name: String) async {
        await expectRefused(name, saying: "path traversal")
    }

    @Test func tooManyColumnsAreRefused() async {
        await expectRefused("hostile/too-many-columns.xlsx", saying: "row 2 has a cell in column 16385, beyond the limit of 16384 columns")
        var limits = XLSXLimits()
        limits.maxColumns = 4
        await expectRefused("xlsxwriter-normal.xlsx", saying: "beyond the limit of 4 columns", limits: limits)
    }

    @Test func overlongStringsAreRefused() async {
        await expectRefused("hostile/long-string.xlsx", saying: "cell A2 is longer than 32767 characters")
        var limits = XLSXLimits()
        limits.maxCellCharacters = 5
        await expectRefused("xlsxwriter-normal.xlsx", saying: "longer than 5 characters", limits: limits)
    }

    @Test func theSharedStringsTableIsBounded() async {
        var limits = XLSXLimits()
        limits.maxSharedStringBytes = 20
        await expectRefused("xlsxwriter-normal.xlsx", saying: "shared strings take more than the limit of 20 bytes", limits: limits)
    }

    @Test func encryptedEntriesAreRefused() async {
        await expectRefused("hostile/encrypted-entry.xlsx", saying: "is encrypted; save the workbook without a password")
    }

    @Test func encryptedWorkbooksAreRefused() async {
        await expectRefused("hostile/encrypted.xlsx", saying: "the workbook is encrypted (password-protected); save it without a password")
    }

    @Test func legacyXLSIsRefused() async {
        await expectRefused("hostile/legacy.xls", saying: "legacy Excel .xls workbook")
        await expectRefused("hostile/legacy.xls", saying: "convert to .xlsx")
    }

    @Test func aCSVRenamedToXLSXIsRefused() async {
        await expectRefused("hostile/renamed-csv.xlsx", saying: "named .xlsx but its content is text")
    }

    @Test func anXLSXRenamedToCSVIsRefused() async {
        await expectRefused("hostile/renamed-xlsx.csv", saying: "named .csv but its content is a zip archive")
    }

    @Test func aZipThatIsNotAWorkbookIsRefused() async {
        await expectRefused("hostile/not-a-workbook.zip", saying: "is a zip archive but not an Excel workbook")
    }

    @Test func contentDecidesWhenTheNameSaysNothing() async throws {
        let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: XLSXFixtures.path("date1904.xlsx"))))
        let result = try await XLSXFixtures.decode(MemoryByteSource(bytes: bytes, name: "upload-without-extension"))
        #expect(result.header.format == .xlsx)
        let csv = try await XLSXFixtures.decode(MemoryByteSource(bytes: Array("a,b\n1,2\n".utf8), name: "upload.dat"))
        #expect(csv.header.format == .csv)
    }

    @Test func truncatedWorkbooksAreRefused() async throws {
        let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: XLSXFixtures.path("openpyxl.xlsx"))))
        await #expect(throws: SluiceError.self) {
            _ = try await XLSXFixtures.decode(MemoryByteSource(bytes: Array(bytes.prefix(bytes.count / 2)), name: "cut"))
        }
        // A flipped byte inside the sheet's deflate data: corrupt data or a CRC mismatch.
        let source = MemoryByteSource(bytes: bytes, name: "openpyxl")
        let zip = try await ZipDirectory.read(source: source, object: try await source.describe(), limits: XLSXLimits())
        let sheet = try #require(zip.entry("xl/worksheets/sheet1.xml"))
        var flipped = bytes
        flipped[Int(sheet.localHeaderOffset) + 30 + sheet.name.utf8.count + Int(sheet.compressedSize) / 2] ^= 0xFF
        await #expect(throws: SluiceError.self) {
            _ = try await XLSXFixtures.decode(MemoryByteSource(bytes: flipped, name: "flipped"))
        }
    }
}
