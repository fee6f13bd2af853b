import Testing
@testable import SluiceValidation

struct DateParserTests {
    let parser = DateParser()

    @Test(arguments: [
        ("2024-03-05", "2024-03-05"), ("05.03.2024", "2024-03-05"), ("5.3.2024", "2024-03-05"), ("05/03/2024", "2024-03-05"),
        ("03/13/2024", "2024-03-13"), ("05-03-2024", "2024-03-05"), ("2024/03/05", "2024-03-05"), ("05.03.24", "2024-03-05"),
        ("05/03/24", "2024-03-05"), ("15.03.85", "1985-03-15"), ("45356", "2024-03-05"), ("45356.5", "2024-03-05"),
        ("2024-03-05 00:00:00", "2024-03-05"), ("2024-03-05T12:30", "2024-03-05"), (" 2024-03-05 ", "2024-03-05"),
        ("29.02.2024", "2024-02-29"),
    ])
    func readsTheListedFormats(_ input: String, _ iso: String) {
        #expect(parser.parse(input)?.description == iso)
    }

    @Test func dayFirstWinsWhenBothCouldBeRight() {
        #expect(parser.parse("03/04/2024")?.description == "2024-04-03")
        #expect(parser.parse("04/13/2024")?.description == "2024-04-13")
    }

    @Test(arguments: ["2023-02-30", "2020-13-01", "31.06.2023", "29/02/2023", "2023-00-10", "abc", "2023-1-1x", "20230115",
                      "0", "60", "2023--01-01", "12/31"])
    func refusesImpossibleOrUnknownDates(_ input: String) {
        #expect(parser.parse(input) == nil)
    }

    @Test func excelSerialsFollowThe1900System() {
        #expect(CalendarDate(excelSerial: 1)?.description == "1900-01-01")
        #expect(CalendarDate(excelSerial: 59)?.description == "1900-02-28")
        #expect(CalendarDate(excelSerial: 60) == nil)
        #expect(CalendarDate(excelSerial: 61)?.description == "1900-03-01")
        #expect(CalendarDate(excelSerial: 44927)?.description == "2023-01-01")
    }

    @Test func formatsAreConfigurable() throws {
        let usFirst = DateParser(formats: [try DateFormat("m/d/Y"), try DateFormat("d/m/Y")])
        #expect(usFirst.parse("03/04/2024")?.description == "2024-03-04")
        #expect(throws: DateFormat.InvalidPattern.self) { try DateFormat("Y-m") }
        #expect(throws: DateFormat.InvalidPattern.self) { try DateFormat("Y_m_d") }
    }

    @Test func calendarArithmeticRoundTrips() throws {
        for days in stride(from: -800_000, through: 2_900_000, by: 997) {
            let date = CalendarDate(daysSinceEpoch: days)
            #expect(date.daysSinceEpoch == days)
        }
        #expect(try #require(CalendarDate(year: 2026, month: 11, day: 21)) < #require(CalendarDate(year: 2031, month: 1, day: 4)))
        #expect(CalendarDate(year: 2100, month: 2, day: 29) == nil)
        #expect(CalendarDate(year: 2000, month: 2, day: 29) != nil)
    }
}
