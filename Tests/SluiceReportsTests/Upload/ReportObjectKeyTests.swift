import SluiceReports
import Testing

struct ReportObjectKeyTests {
    @Test func theReportSitsNextToItsSource() {
        #expect(ReportObjectKey.key(forSourceKey: "incoming/debtors.csv", runID: "1A2B3C4D-5E6F-0000-0000-000000000000", format: .xlsx)
            == "incoming/debtors.csv.rejections.1a2b3c4d.xlsx")
        #expect(ReportObjectKey.key(forSourceKey: "d.csv", runID: "abcdef12-0000", format: .csv) == "d.csv.rejections.abcdef12.csv")
    }
}
