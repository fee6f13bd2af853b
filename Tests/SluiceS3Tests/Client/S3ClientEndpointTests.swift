import SluiceCore
import Testing

@testable import SluiceS3

struct S3ClientEndpointTests {
    @Test(arguments: [
        ("http://127.0.0.1:58333", "http://127.0.0.1:58333", "127.0.0.1:58333", ""),
        ("http://127.0.0.1:58333/", "http://127.0.0.1:58333", "127.0.0.1:58333", ""),
        ("https://s3.eu-central-1.amazonaws.com", "https://s3.eu-central-1.amazonaws.com", "s3.eu-central-1.amazonaws.com", ""),
        ("HTTP://minio.local:9000/s3/", "http://minio.local:9000", "minio.local:9000", "/s3"),
        ("http://[::1]:8333", "http://[::1]:8333", "[::1]:8333", ""),
    ])
    func parsesEndpoints(text: String, origin: String, host: String, basePath: String) throws {
        let endpoint = try S3Client.Endpoint(text)
        #expect(endpoint.origin == origin)
        #expect(endpoint.host == host)
        #expect(endpoint.basePath == basePath)
    }

    @Test(arguments: ["", "127.0.0.1:8333", "ftp://host", "http://", "not a url"])
    func rejectsEndpointsThatAreNotHTTP(text: String) {
        let error = #expect(throws: SluiceError.self) { try S3Client.Endpoint(text) }
        #expect(error?.code == .invalidArgument)
    }

    @Test func durationsBecomeTimeAmounts() {
        #expect(S3Client.timeAmount(.seconds(2)).nanoseconds == 2_000_000_000)
        #expect(S3Client.timeAmount(.milliseconds(1500)).nanoseconds == 1_500_000_000)
    }
}
