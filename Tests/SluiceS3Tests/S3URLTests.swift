import SluiceCore
import Testing

@testable import SluiceS3

struct S3URLTests {
    @Test(arguments: [
        ("s3://bucket/key.csv", "bucket", "key.csv"),
        ("s3://bucket/dir/sub/key.csv", "bucket", "dir/sub/key.csv"),
        ("s3://in/2024 05/debtors (1).csv", "in", "2024 05/debtors (1).csv"),
        ("S3://Bucket_1/a%20b", "Bucket_1", "a%20b"),
        ("s3://bucket", "bucket", ""),
        ("s3://bucket/", "bucket", ""),
        ("s3://bucket/prefix/", "bucket", "prefix/"),
        ("s3://my.bucket-2/ä€.csv", "my.bucket-2", "ä€.csv"),
    ])
    func parsesBucketAndVerbatimKey(text: String, bucket: String, key: String) throws {
        let url = try S3URL(parsing: text)
        #expect(url.bucket == bucket)
        #expect(url.key == key)
    }

    @Test(arguments: ["", "s3://", "s3:///key", "http://bucket/key", "bucket/key", "s3://bu cket/key", "s3://bu/cket"])
    func rejectsInvalidURLs(text: String) {
        if text == "s3://bu/cket" {
            // A valid URL whose key is "cket", listed here to pin the boundary.
            #expect(throws: Never.self) { try S3URL(parsing: text) }
            return
        }
        let error = #expect(throws: SluiceError.self) { try S3URL(parsing: text) }
        #expect(error?.code == .invalidArgument)
    }

    @Test func descriptionRoundTrips() throws {
        let url = try S3URL(parsing: "s3://in/dir/my file.csv")
        #expect(url.description == "s3://in/dir/my file.csv")
        #expect(try S3URL(parsing: url.description) == url)
    }

    @Test func requestPathEncodesEachSegment() {
        #expect(S3URL(bucket: "in", key: "dir/my file+1.csv").requestPath == "/in/dir/my%20file%2B1.csv")
        #expect(S3URL(bucket: "in", key: "a/€").requestPath == "/in/a/%E2%82%AC")
    }
}
