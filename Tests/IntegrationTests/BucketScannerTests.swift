import Foundation
import SluiceCore
import SluicePipeline
import SluiceS3
import Testing

/// Polling a watched bucket on the real SeaweedFS: every object a pipeline watches is found,
/// once, with the ETag a run records, across pages, whatever its key looks like.
struct BucketScannerTests {
    let environment: IntegrationEnvironment

    init() throws {
        environment = try IntegrationEnvironment()
    }

    static func pipeline(_ name: String, watch: String) throws -> PipelineSpec {
        try PipelineSpec.parse(yaml: "name: \(name)\ntarget: {table: sluice_it.\(name)}\ncolumns: [{name: iban}]\nwatch:\n\(watch)")
    }

    @Test func aScanFindsEveryWatchedObjectOnceAcrossPages() async throws {
        let client = try environment.s3Client()
        let root = "it/\(UUID().uuidString)/"
        let keys = [
            "incoming/a.csv", "incoming/März 2026 + Zusatz (1).csv", "incoming/b.csv", "incoming/notes.txt",
            "incoming/xlsx/sheet one.xlsx", "incoming/archive/old.csv", "elsewhere/c.csv",
        ]
        var etags: [String: String] = [:]
        for key in keys {
            etags[key] = try await client.putObject(bucket: environment.bucket, key: root + key, bytes: Array("iban\n\(key)\n".utf8))
        }
        let csv = try Self.pipeline("scan_csv", watch: "  - {bucket: \(environment.bucket), prefix: \"\(root)incoming/\", glob: \"*.csv\"}")
        let xlsx = try Self.pipeline("scan_xlsx", watch: "  - {bucket: \(environment.bucket), prefix: \"\(root)incoming/xlsx/\"}")
        let scanner = BucketScanner(client: client, router: try WatchRouter(pipelines: [csv, xlsx]), pageSize: 2)

        let found = try await scanner.scan()
        let byKey = Dictionary(uniqueKeysWithValues: found.map { (String($0.key.dropFirst(root.count)), $0) })
        #expect(Set(byKey.keys) == ["incoming/a.csv", "incoming/März 2026 + Zusatz (1).csv", "incoming/b.csv", "incoming/xlsx/sheet one.xlsx"],
                "the glob keeps .txt and deeper keys out; the xlsx prefix takes its folder")
        #expect(found.count == byKey.count, "each object once, though incoming/xlsx/ is under two watched prefixes")
        #expect(byKey["incoming/a.csv"]?.pipeline == "scan_csv")
        #expect(byKey["incoming/xlsx/sheet one.xlsx"]?.pipeline == "scan_xlsx")
        for (key, object) in byKey {
            #expect(object.etag == etags[key], "\(key): the ETag PUT returned, unquoted")
            #expect(object.size == Int64("iban\n\(key)\n".utf8.count))
            #expect(object.uri == "s3://\(environment.bucket)/\(root)\(key)")
        }
        // An overwrite is a new version: a new ETag for the same key.
        let newETag = try await client.putObject(bucket: environment.bucket, key: root + "incoming/a.csv", bytes: Array("iban\nchanged\n".utf8))
        let again = try await scanner.scan()
        #expect(again.first { $0.key == root + "incoming/a.csv" }?.etag == newETag)
        #expect(newETag != etags["incoming/a.csv"])
    }

    @Test func aMinIONotificationIsRoutedLikeAScan() throws {
        let csv = try Self.pipeline("event_csv", watch: "  - {bucket: sluice, prefix: incoming/, glob: \"*.csv\"}")
        let router = try WatchRouter(pipelines: [csv])
        let json = """
            {"EventName":"s3:ObjectCreated:Put","Key":"sluice/incoming/M\\u00e4rz 2026.csv","Records":[
             {"eventName":"s3:ObjectCreated:Put","s3":{"bucket":{"name":"sluice"},"object":{"key":"incoming/M%C3%A4rz+2026.csv","size":7,"eTag":"e1","sequencer":"1"}}},
             {"eventName":"s3:ObjectCreated:Put","s3":{"bucket":{"name":"sluice"},"object":{"key":"incoming/readme.txt","size":3,"eTag":"e2","sequencer":"2"}}}]}
            """
        let drops = router.drops(from: try BucketNotification(json: Data(json.utf8)))
        #expect(drops == [DroppedObject(pipeline: "event_csv", bucket: "sluice", key: "incoming/März 2026.csv", etag: "e1", size: 7)])
    }
}
