import Foundation
import SluiceCore
import Testing

@testable import SluiceS3

/// MinIO's webhook JSON, as `mc event add … arn:minio:sqs::…:webhook` sends it.
struct BucketNotificationTests {
    static func minio(_ records: String) -> Data {
        Data("""
            {"EventName":"s3:ObjectCreated:Put","Key":"sluice/incoming/ignored","Records":[\(records)]}
            """.utf8)
    }

    static func record(_ event: String = "s3:ObjectCreated:Put", key: String, etag: String = "0123abcd", size: Int = 42, sequencer: String = "17C1") -> String {
        """
        {"eventVersion":"2.0","eventSource":"minio:s3","awsRegion":"","eventTime":"2026-12-01T10:00:00.000Z","eventName":"\(event)",
         "userIdentity":{"principalId":"minio"},"requestParameters":{"sourceIPAddress":"127.0.0.1"},
         "s3":{"s3SchemaVersion":"1.0","configurationId":"Config","bucket":{"name":"sluice","ownerIdentity":{"principalId":"minio"},"arn":"arn:aws:s3:::sluice"},
               "object":{"key":"\(key)","size":\(size),"eTag":"\(etag)","contentType":"text/csv","userMetadata":{"content-type":"text/csv"},"sequencer":"\(sequencer)"}},
         "source":{"host":"127.0.0.1","port":"","userAgent":"MinIO (linux; amd64) minio-go/v7.0.70"}}
        """
    }

    @Test func keysAreUnescapedAsMinIOEscapesThem() throws {
        // url.QueryEscape: a space is +, a + is %2B, ä is %C3%A4.
        let notification = try BucketNotification(json: Self.minio(Self.record(key: "incoming/M%C3%A4rz+2026+%2B+Zusatz+%281%29.csv")))
        #expect(notification.createdObjects == [
            BucketNotification.CreatedObject(bucket: "sluice", key: "incoming/März 2026 + Zusatz (1).csv", etag: "0123abcd", size: 42, sequencer: "17C1"),
        ])
        #expect(notification.createdObjects.first?.uri == "s3://sluice/incoming/März 2026 + Zusatz (1).csv")
    }

    @Test func onlyCreatedObjectsAreKeptInOrder() throws {
        let records = [
            Self.record(key: "incoming/a.csv", etag: "aaa"),
            Self.record("s3:ObjectRemoved:Delete", key: "incoming/b.csv"),
            Self.record("s3:ObjectCreated:CompleteMultipartUpload", key: "incoming/c.csv", etag: #"\"ccc-3\""#, size: 20_000_000),
        ].joined(separator: ",")
        let notification = try BucketNotification(json: Self.minio(records))
        #expect(notification.eventNames == ["s3:ObjectCreated:Put", "s3:ObjectRemoved:Delete", "s3:ObjectCreated:CompleteMultipartUpload"])
        #expect(notification.createdObjects.map(\.key) == ["incoming/a.csv", "incoming/c.csv"])
        #expect(notification.createdObjects.map(\.etag) == ["aaa", "ccc-3"], "quotes dropped, a multipart ETag kept whole")
    }

    @Test func whatIsNotANotificationIsRefusedWithWhereItBroke() {
        let notJSON = #expect(throws: SluiceError.self) { try BucketNotification(json: Data("{not json".utf8)) }
        #expect(notJSON?.code == .invalidArgument)
        #expect(notJSON?.reason.contains("not JSON") == true, "\(notJSON?.reason ?? "")")
        let noRecords = #expect(throws: SluiceError.self) { try BucketNotification(json: Data(#"{"EventName":"x"}"#.utf8)) }
        #expect(noRecords?.reason.contains("Records") == true, "\(noRecords?.reason ?? "")")
        let badEscape = #expect(throws: SluiceError.self) { try BucketNotification(json: Self.minio(Self.record(key: "incoming/%ZZ.csv"))) }
        #expect(badEscape?.reason.contains("Records[0].s3.object.key") == true, "\(badEscape?.reason ?? "")")
        let noObject = #expect(throws: SluiceError.self) {
            try BucketNotification(json: Self.minio(#"{"eventName":"s3:ObjectCreated:Put","s3":{"bucket":{"name":"sluice"}}}"#))
        }
        #expect(noObject?.reason.contains("Records[0]") == true, "\(noObject?.reason ?? "")")
    }
}
