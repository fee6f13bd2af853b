import SluiceCore
import Testing

@testable import SluiceS3

struct S3ClientErrorTests {
    @Test func missingKeyOnAReadIsSourceNotFound() {
        let error = S3Client.error(
            status: 404,
            document: S3ErrorResponse(code: "NoSuchKey", message: "The specified key does not exist."),
            operation: "GET",
            objectName: "s3://in/a.csv",
            isRead: true
        )
        #expect(error.code == .sourceNotFound)
        #expect(error.object == "s3://in/a.csv")
        #expect(error.description.contains("NoSuchKey"))
        #expect((error.underlying as? S3ErrorResponse)?.code == "NoSuchKey")
    }

    @Test func missingBucketSaysSo() {
        let error = S3Client.error(
            status: 404, document: S3ErrorResponse(code: "NoSuchBucket"), operation: "LIST", objectName: "s3://nope", isRead: true
        )
        #expect(error.code == .sourceNotFound)
        #expect(error.reason.contains("bucket does not exist"))
    }

    @Test func preconditionFailedIsSourceChanged() {
        let error = S3Client.error(
            status: 412, document: S3ErrorResponse(code: "PreconditionFailed"), operation: "GET", objectName: "s3://in/a", isRead: true
        )
        #expect(error.code == .sourceChanged)
    }

    @Test func forbiddenNamesTheS3CodeAndTheCredentials() {
        let error = S3Client.error(
            status: 403,
            document: S3ErrorResponse(code: "SignatureDoesNotMatch", message: "The request signature we calculated does not match"),
            operation: "HEAD",
            objectName: "s3://in/a",
            isRead: true
        )
        #expect(error.code == .s3)
        #expect(error.description.contains("SignatureDoesNotMatch"))
        #expect(error.description.contains("access denied"))
        #expect(error.description.contains("s3://in/a"))
    }

    @Test func notFoundOnAWriteIsAnS3Error() {
        let error = S3Client.error(status: 404, document: nil, operation: "PUT", objectName: "s3://nope/a", isRead: false)
        #expect(error.code == .s3)
        #expect(error.description.contains("HTTP 404"))
    }

    @Test func serverErrorsAreRetryableAndClientErrorsAreNot() {
        #expect(S3ObjectReader.isRetryable(status: 500))
        #expect(S3ObjectReader.isRetryable(status: 503))
        #expect(S3ObjectReader.isRetryable(status: 429))
        #expect(!S3ObjectReader.isRetryable(status: 403))
        #expect(!S3ObjectReader.isRetryable(status: 404))
        #expect(!S3ObjectReader.isRetryable(status: 412))
    }
}
