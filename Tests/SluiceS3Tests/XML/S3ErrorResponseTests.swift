import Testing

@testable import SluiceS3

struct S3ErrorResponseTests {
    @Test func parsesAnAWSErrorDocument() throws {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <Error>
              <Code>NoSuchKey</Code>
              <Message>The resource you requested does not exist</Message>
              <Resource>/mybucket/myfoto.jpg</Resource>
              <RequestId>4442587FB7D0A2F9</RequestId>
            </Error>
            """
        let error = try #require(S3ErrorResponse(xml: Array(xml.utf8)))
        #expect(error.code == "NoSuchKey")
        #expect(error.message == "The resource you requested does not exist")
        #expect(error.resource == "/mybucket/myfoto.jpg")
        #expect(error.requestID == "4442587FB7D0A2F9")
        #expect(error.description == "NoSuchKey: The resource you requested does not exist")
    }

    @Test func parsesADocumentWithANamespace() {
        let xml = #"<Error xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Code>AccessDenied</Code></Error>"#
        #expect(S3ErrorResponse(xml: Array(xml.utf8))?.code == "AccessDenied")
    }

    @Test(arguments: ["", "<html><body>502 Bad Gateway</body></html>", "<Error><Message>no code</Message></Error>", "<Error"])
    func ignoresBodiesThatAreNotS3Errors(body: String) {
        #expect(S3ErrorResponse(xml: Array(body.utf8)) == nil)
    }
}
