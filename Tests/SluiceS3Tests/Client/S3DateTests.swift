import Foundation
import Testing

@testable import SluiceS3

struct S3DateTests {
    @Test func parsesHTTPDates() {
        #expect(S3Date.parseHTTP("Wed, 21 Oct 2015 07:28:00 GMT") == Date(timeIntervalSince1970: 1_445_412_480))
        #expect(S3Date.parseHTTP("Fri, 24 May 2013 00:00:00 GMT") == Date(timeIntervalSince1970: 1_369_353_600))
    }

    @Test func parsesISO8601WithAndWithoutFraction() {
        #expect(S3Date.parseISO8601("2009-10-12T17:50:30.000Z") == Date(timeIntervalSince1970: 1_255_369_830))
        #expect(S3Date.parseISO8601("2009-10-12T17:50:30Z") == Date(timeIntervalSince1970: 1_255_369_830))
        #expect(S3Date.parseISO8601("2009-10-12T17:50:30.5Z") == Date(timeIntervalSince1970: 1_255_369_830.5))
    }

    @Test(arguments: ["", "yesterday", "Wed, 32 Oct 2015 07:28:00 GMT", "2009-13-12T17:50:30Z", "2009-10-12 17:50:30"])
    func rejectsOtherText(text: String) {
        #expect(S3Date.parseHTTP(text) == nil)
        #expect(S3Date.parseISO8601(text) == nil)
    }
}
