import Foundation
import SluiceStages
import Testing

struct RetryAfterTests {
    /// Two minutes before Sun, 06 Nov 1994 08:49:37 GMT (784111777), RFC 9110's example date.
    let now = Date(timeIntervalSince1970: 784_111_777 - 120)

    @Test(arguments: [("120", Duration.seconds(120)), ("0", .zero), (" 7 ", .seconds(7)), ("00030", .seconds(30))])
    func secondsAreAWait(header: String, wait: Duration) {
        #expect(RetryAfter.parse(header, now: now) == wait)
    }

    @Test func aHugeNumberOfSecondsIsAVeryLongWaitNotAnOverflow() {
        #expect(RetryAfter.parse("99999999999999999999999", now: now) == .seconds(Int64.max))
    }

    @Test(arguments: [
        "Sun, 06 Nov 1994 08:49:37 GMT",   // IMF-fixdate
        "Sunday, 06-Nov-94 08:49:37 GMT",  // RFC 850
        "Sun Nov  6 08:49:37 1994",        // asctime
        "  Sun, 06 Nov 1994 08:49:37 GMT ",
    ])
    func anHTTPDateInAnyOfItsThreeFormsIsTheTimeUntilIt(header: String) {
        #expect(RetryAfter.parse(header, now: now) == .seconds(120))
    }

    @Test func aDateInThePastMeansNoWait() {
        #expect(RetryAfter.parse("Sat, 05 Nov 1994 08:49:37 GMT", now: now) == .zero)
    }

    @Test func aTwoDigitYearMoreThanFiftyYearsAheadIsInThePreviousCentury() {
        let newYearsEve = Date(timeIntervalSince1970: 1_767_225_600 - 60)  // 2025-12-31 23:59:00 GMT
        #expect(RetryAfter.parse("Thursday, 01-Jan-26 00:00:00 GMT", now: newYearsEve) == .seconds(60))
        #expect(RetryAfter.parse("Sunday, 06-Nov-94 08:49:37 GMT", now: newYearsEve) == .zero, "1994, not 2094")
    }

    @Test func leapDaysAreChecked() {
        let before = Date(timeIntervalSince1970: 1_709_208_000 - 3_600)  // 2024-02-29 11:00 GMT
        #expect(RetryAfter.parse("Thu, 29 Feb 2024 12:00:00 GMT", now: before) == .seconds(3_600))
        #expect(RetryAfter.parse("Mon, 29 Feb 2021 12:00:00 GMT", now: before) == nil)
    }

    @Test(arguments: [
        "", "   ", "soon", "-5", "+5", "1.5", "12abc", "1e3", "١٢٠",
        "Sun, 06 Nov 1994 08:49:37 PST",
        "Sun, 32 Nov 1994 08:49:37 GMT",
        "Sun, 00 Nov 1994 08:49:37 GMT",
        "Sun, 06 Foo 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 24:00:00 GMT",
        "Sun, 06 Nov 1994 08:49 GMT",
        "Sun, 06 Nov 94 08:49:37 GMT",
        "Sun 06 Nov 1994 08:49:37 GMT",
        "Funday, 06-Nov-94 08:49:37 GMT",
        "Sun Nov  6 08:49:37 94",
        "2025-11-06T08:49:37Z",
    ])
    func garbageIsNoAdvice(header: String) {
        #expect(RetryAfter.parse(header, now: now) == nil)
    }
}
