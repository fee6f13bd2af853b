import Foundation
import Testing

@testable import SluiceS3

struct S3ObjectListTests {
    @Test func parsesAPageWithContinuationToken() throws {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
              <Name>bucket</Name>
              <Prefix>in/</Prefix>
              <KeyCount>2</KeyCount>
              <MaxKeys>2</MaxKeys>
              <IsTruncated>true</IsTruncated>
              <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
              <Contents>
                <Key>in/a &amp; b.csv</Key>
                <LastModified>2009-10-12T17:50:30.000Z</LastModified>
                <ETag>&quot;fba9dede5f27731c9771645a39863328&quot;</ETag>
                <Size>434234</Size>
                <StorageClass>STANDARD</StorageClass>
              </Contents>
              <Contents>
                <Key>in/ä b.csv</Key>
                <LastModified>2024-01-02T03:04:05Z</LastModified>
                <ETag>"3858f62230ac3c915f300c664312c11f-9"</ETag>
                <Size>0</Size>
              </Contents>
            </ListBucketResult>
            """
        let list = try S3ObjectList(xml: Array(xml.utf8))
        #expect(list.isTruncated)
        #expect(list.nextContinuationToken == "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=")
        #expect(list.objects.map(\.key) == ["in/a & b.csv", "in/ä b.csv"])
        #expect(list.objects.map(\.size) == [434_234, 0])
        #expect(list.objects.map(\.etag) == ["fba9dede5f27731c9771645a39863328", "3858f62230ac3c915f300c664312c11f-9"])
        #expect(list.objects[0].lastModified == Date(timeIntervalSince1970: 1_255_369_830))
        #expect(list.objects[1].lastModified == Date(timeIntervalSince1970: 1_704_164_645))
    }

    @Test func parsesTheLastPageAndCommonPrefixes() throws {
        let xml = """
            <ListBucketResult>
              <Name>bucket</Name><IsTruncated>false</IsTruncated>
              <CommonPrefixes><Prefix>in/2024/</Prefix></CommonPrefixes>
              <CommonPrefixes><Prefix>in/2025/</Prefix></CommonPrefixes>
            </ListBucketResult>
            """
        let list = try S3ObjectList(xml: Array(xml.utf8))
        #expect(!list.isTruncated)
        #expect(list.nextContinuationToken == nil)
        #expect(list.objects.isEmpty)
        #expect(list.commonPrefixes == ["in/2024/", "in/2025/"])
    }

    @Test func keepsLeadingAndTrailingSpacesOfKeys() throws {
        let xml = "<ListBucketResult><Contents><Key> padded </Key><Size>1</Size><ETag>e</ETag></Contents></ListBucketResult>"
        let list = try S3ObjectList(xml: Array(xml.utf8))
        #expect(list.objects.first?.key == " padded ")
    }

    @Test(arguments: [
        "<Error><Code>NoSuchBucket</Code></Error>",
        "<ListBucketResult><Contents><Key>a</Key></Contents></ListBucketResult>",
        "<ListBucketResult><Contents><Key>a</Key><Size>big</Size></Contents></ListBucketResult>",
        "<ListBucketResult><Contents>",
        "",
    ])
    func rejectsDocumentsThatAreNotListings(xml: String) {
        #expect(throws: S3XMLError.self) { try S3ObjectList(xml: Array(xml.utf8)) }
    }
}
