import Crypto
import Foundation
import Testing

@testable import SluiceS3

/// The examples of "Examples: Signature Calculations in AWS Signature Version 4" in the S3 API reference.
struct SigV4SignerTests {
    let signer = SigV4Signer(
        accessKey: "AKIAIOSFODNN7EXAMPLE",
        secretKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        region: "us-east-1"
    )
    let host = "examplebucket.s3.amazonaws.com"
    // 20130524T000000Z
    let date = Date(timeIntervalSince1970: 1_369_353_600)

    static func signature(_ headers: [String: String]) -> String? {
        guard let authorization = headers["authorization"], let range = authorization.range(of: "Signature=") else {
            return nil
        }
        return String(authorization[range.upperBound...])
    }

    @Test func getObjectExample() {
        let headers = signer.sign(
            method: "GET",
            path: "/test.txt",
            headers: ["Host": host, "Range": "bytes=0-9"],
            payloadHash: SigV4Signer.emptyPayloadHash,
            date: date
        )
        #expect(headers["x-amz-date"] == "20130524T000000Z")
        #expect(headers["x-amz-content-sha256"] == SigV4Signer.emptyPayloadHash)
        #expect(
            headers["authorization"]
                == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
                + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
                + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
        )
    }

    @Test func getObjectCanonicalRequestMatchesTheExample() {
        let canonical = signer.canonicalRequest(
            method: "GET",
            path: "/test.txt",
            query: [:],
            headers: [
                "host": host, "range": "bytes=0-9",
                "x-amz-content-sha256": SigV4Signer.emptyPayloadHash, "x-amz-date": "20130524T000000Z",
            ],
            payloadHash: SigV4Signer.emptyPayloadHash
        )
        #expect(
            canonical.request == """
                GET
                /test.txt

                host:examplebucket.s3.amazonaws.com
                range:bytes=0-9
                x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                x-amz-date:20130524T000000Z

                host;range;x-amz-content-sha256;x-amz-date
                e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                """
        )
        #expect(
            SigV4Signer.hex(SHA256.hash(data: Data(canonical.request.utf8)))
                == "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972"
        )
    }

    @Test func putObjectExampleEncodesTheKeyOnce() {
        let body = Array("Welcome to Amazon S3.".utf8)
        let payloadHash = SigV4Signer.hex(SHA256.hash(data: body))
        #expect(payloadHash == "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072")
        let headers = signer.sign(
            method: "PUT",
            path: "/test$file.text",
            headers: [
                "host": host, "date": "Fri, 24 May 2013 00:00:00 GMT", "x-amz-storage-class": "REDUCED_REDUNDANCY",
            ],
            payloadHash: payloadHash,
            date: date
        )
        #expect(headers["authorization"]?.contains("SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,") == true)
        #expect(Self.signature(headers) == "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd")
    }

    @Test func getBucketLifecycleExampleSignsAQueryParameterWithoutValue() {
        let headers = signer.sign(
            method: "GET",
            path: "/",
            query: ["lifecycle": ""],
            headers: ["host": host],
            payloadHash: SigV4Signer.emptyPayloadHash,
            date: date
        )
        #expect(Self.signature(headers) == "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543")
    }

    @Test func listObjectsExampleSortsQueryParameters() {
        let headers = signer.sign(
            method: "GET",
            path: "/",
            query: ["prefix": "J", "max-keys": "2"],
            headers: ["host": host],
            payloadHash: SigV4Signer.emptyPayloadHash,
            date: date
        )
        #expect(headers["authorization"]?.contains("SignedHeaders=host;x-amz-content-sha256;x-amz-date,") == true)
        #expect(Self.signature(headers) == "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7")
    }

    @Test func emptyPathIsSignedAsSlash() {
        let empty = signer.sign(method: "GET", path: "", headers: ["host": host], payloadHash: SigV4Signer.emptyPayloadHash, date: date)
        let slash = signer.sign(method: "GET", path: "/", headers: ["host": host], payloadHash: SigV4Signer.emptyPayloadHash, date: date)
        #expect(empty["authorization"] == slash["authorization"])
    }

    @Test func headerValuesAreTrimmedAndInnerSpacesCollapsed() {
        #expect(SigV4Signer.trimHeaderValue("  a   b  c ") == "a b c")
        #expect(SigV4Signer.trimHeaderValue("plain") == "plain")
    }

    @Test func timestampIsUTC() {
        let stamp = SigV4Signer.timestamp(Date(timeIntervalSince1970: 1_700_000_000.9))
        #expect(stamp.date == "20231114")
        #expect(stamp.dateTime == "20231114T221320Z")
    }

    @Test func secretKeyNeverAppearsInTheSignedHeaders() {
        let headers = signer.sign(method: "GET", path: "/a", headers: ["host": host], payloadHash: SigV4Signer.emptyPayloadHash, date: date)
        #expect(!headers.values.contains { $0.contains(signer.secretKey) })
        #expect(!"\(signer)".contains(signer.secretKey))
        var dumped = ""
        dump(signer, to: &dumped)
        #expect(!dumped.contains(signer.secretKey))
    }
}
