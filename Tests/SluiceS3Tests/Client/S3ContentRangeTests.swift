import Testing

@testable import SluiceS3

struct S3ContentRangeTests {
    @Test func parsesARange() {
        let range = S3ContentRange("bytes 100-199/1000")
        #expect(range?.range == 100...199)
        #expect(range?.total == 1000)
    }

    @Test func parsesAnUnsatisfiedRange() {
        let range = S3ContentRange("bytes */1000")
        #expect(range != nil)
        #expect(range?.range == nil)
        #expect(range?.total == 1000)
    }

    @Test func parsesAnUnknownTotal() {
        #expect(S3ContentRange("bytes 0-9/*")?.total == nil)
        #expect(S3ContentRange("bytes 0-9/*")?.range == 0...9)
    }

    @Test(arguments: ["", "bytes", "bytes 10-5/100", "items 0-1/2", "bytes 0-1", "bytes a-b/3", "bytes 0-1/-3"])
    func rejectsMalformedHeaders(header: String) {
        #expect(S3ContentRange(header) == nil)
    }

    @Test func byteRangesFormatTheRangeHeader() {
        #expect(S3ByteRange.from(0).description == "bytes=0-")
        #expect(S3ByteRange.from(1024).description == "bytes=1024-")
        #expect(S3ByteRange.bytes(0...9).description == "bytes=0-9")
    }
}
