import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import SluiceCore
import SluiceS3
import Testing

/// S3ClientTests run against the real SeaweedFS S3 server of `scripts/stack.sh up`:
///
///     scripts/stack.sh up
///     set -a; . .sluice/env; set +a
///     swift test --filter IntegrationTests.S3ClientTests
struct S3ClientTests {
    let configuration: S3Configuration
    let bucket: String
    let client: S3Client
    /// A fresh key prefix per test, so tests can run in parallel and again.
    let prefix = "it/\(UUID().uuidString)"

    init() throws {
        do {
            configuration = try S3Configuration.fromEnvironment()
        } catch {
            throw S3TestSetupError(
                "S3 integration tests need the stack: run `scripts/stack.sh up`, then "
                    + "`set -a; . .sluice/env; set +a` before `swift test` (\(error))"
            )
        }
        guard let bucket = ProcessInfo.processInfo.environment["SLUICE_S3_BUCKET"], !bucket.isEmpty else {
            throw S3TestSetupError("S3 integration tests need SLUICE_S3_BUCKET; source .sluice/env")
        }
        self.bucket = bucket
        client = try S3Client(configuration: configuration)
    }

    // MARK: Objects

    @Test func putHeadGetRoundTripOfAFiveMegabyteFile() async throws {
        let content = Self.randomBytes(count: 5 * 1024 * 1024 + 17, seed: 1)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-s3-\(UUID().uuidString).bin")
        try Data(content).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let key = "\(prefix)/dir with space/ünïcödé +&=$.bin"

        let etag = try await client.putObject(bucket: bucket, key: key, fileAt: file.path)
        let head = try await client.headObject(bucket: bucket, key: key)
        #expect(head.size == Int64(content.count))
        #expect(head.etag == etag)
        #expect(!head.etag.contains("\""))
        #expect(head.lastModified != nil)

        let response = try await client.getObject(bucket: bucket, key: key)
        #expect(response.etag == etag)
        #expect(response.objectSize == Int64(content.count))
        var received: [UInt8] = []
        for try await buffer in response.body {
            received.append(contentsOf: buffer.readableBytesView)
        }
        #expect(received == content)
    }

    @Test func putFromMemoryAndReadThroughTheSourceInBoundedChunks() async throws {
        let content = Self.randomBytes(count: 3 * 1024 * 1024 + 5, seed: 2)
        let key = "\(prefix)/memory.bin"
        try await client.putObject(bucket: bucket, key: key, bytes: content)

        let source = S3ObjectSource(bucket: bucket, key: key, client: client)
        #expect(source.displayName == "s3://\(bucket)/\(key)")
        let object = try await source.describe()
        #expect(object.size == Int64(content.count))
        #expect(object.uri == "s3://\(bucket)/\(key)")

        var reader = try source.reader(at: 0, expectedETag: object.etag)
        var chunks: [Int] = []
        var received: [UInt8] = []
        while let chunk = try await reader.next() {
            chunks.append(chunk.count)
            received.append(contentsOf: chunk)
        }
        #expect(received == content)
        #expect(chunks.dropLast().allSatisfy { $0 >= 64 * 1024 && $0 <= 256 * 1024 })
        #expect(chunks.allSatisfy { $0 > 0 })
        #expect(reader.requestCount == 1)
        #expect(try await reader.next() == nil)
    }

    @Test func rangedReadsFromAnOffset() async throws {
        let content = Self.randomBytes(count: 1_000_003, seed: 3)
        let key = "\(prefix)/ranged.bin"
        try await client.putObject(bucket: bucket, key: key, bytes: content)

        let response = try await client.getObject(bucket: bucket, key: key, range: .bytes(100...199))
        #expect(response.status == 206)
        #expect(response.contentRange?.range == 100...199)
        #expect(response.contentRange?.total == Int64(content.count))
        #expect(try await Self.collect(response.body) == Array(content[100...199]))

        let source = S3ObjectSource(bucket: bucket, key: key, client: client)
        let offset = 654_321
        var reader = try await source.open(at: Int64(offset), expectedETag: nil)
        var received: [UInt8] = []
        while let chunk = try await reader.next() {
            received.append(contentsOf: chunk)
        }
        #expect(received == Array(content[offset...]))

        // A bounded open asks for the range only, and ends at its end.
        var bounded = try source.reader(at: 500_000, end: 700_000, expectedETag: nil)
        var part: [UInt8] = []
        while let chunk = try await bounded.next() { part.append(contentsOf: chunk) }
        #expect(part == Array(content[500_000..<700_000]))
        #expect(bounded.requestCount == 1)
    }

    @Test func readingAtTheEndOrAnEmptyObjectEndsAtOnce() async throws {
        let key = "\(prefix)/small.bin"
        try await client.putObject(bucket: bucket, key: key, bytes: Array("hello".utf8))
        let source = S3ObjectSource(bucket: bucket, key: key, client: client)
        var atEnd = try await source.open(at: 5, expectedETag: nil)
        #expect(try await atEnd.next() == nil)

        let emptyKey = "\(prefix)/empty.bin"
        try await client.putObject(bucket: bucket, key: emptyKey, bytes: [])
        let empty = S3ObjectSource(bucket: bucket, key: emptyKey, client: client)
        #expect(try await empty.describe().size == 0)
        var reader = try await empty.open(at: 0, expectedETag: nil)
        #expect(try await reader.next() == nil)
    }

    @Test func listsWithAPrefixPageByPage() async throws {
        let names = ["a.csv", "b c.csv", "d/e.csv", "ö+1.csv", "z.csv"]
        var etags: [String: String] = [:]
        for (index, name) in names.enumerated() {
            let key = "\(prefix)/list/\(name)"
            etags[key] = try await client.putObject(bucket: bucket, key: key, bytes: Array(repeating: UInt8(index), count: index + 1))
        }
        // A sibling that the prefix must leave out.
        try await client.putObject(bucket: bucket, key: "\(prefix)/listing.csv", bytes: [1])

        var listed: [S3ObjectSummary] = []
        var token: String?
        var pages = 0
        repeat {
            let page = try await client.listObjectsV2(
                bucket: bucket, prefix: "\(prefix)/list/", continuationToken: token, maxKeys: 2
            )
            #expect(page.objects.count <= 2)
            listed += page.objects
            token = page.nextContinuationToken
            #expect(page.isTruncated == (token != nil))
            pages += 1
        } while token != nil && pages < 10
        #expect(pages == 3)
        // S3 orders keys by their UTF-8 bytes, which puts "ö" after "z".
        let expected = names.map { "\(prefix)/list/\($0)" }.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        #expect(listed.map(\.key) == expected)
        #expect(listed.map(\.key).last?.hasSuffix("ö+1.csv") == true)
        for object in listed {
            #expect(object.etag == etags[object.key])
            let name = object.key.dropFirst("\(prefix)/list/".count)
            #expect(object.size == Int64((names.firstIndex { $0 == name } ?? -2) + 1))
        }

        let rolledUp = try await client.listObjectsV2(bucket: bucket, prefix: "\(prefix)/list/", delimiter: "/")
        #expect(rolledUp.commonPrefixes == ["\(prefix)/list/d/"])
        #expect(rolledUp.objects.count == 4)
    }

    @Test func createBucketIsIdempotentAndBucketsCanBeDeleted() async throws {
        try await client.createBucket(bucket)
        let scratch = "sluice-it-\(UUID().uuidString.prefix(8).lowercased())"
        #expect(try await client.bucketExists(scratch) == false)
        try await client.createBucket(scratch)
        #expect(try await client.bucketExists(scratch))
        try await client.createBucket(scratch)
        try await client.putObject(bucket: scratch, key: "k", bytes: [1, 2, 3])
        #expect(try await client.headObject(bucket: scratch, key: "k").size == 3)
        try await client.deleteObject(bucket: scratch, key: "k")
        try await client.deleteBucket(scratch)
        #expect(try await client.bucketExists(scratch) == false)
    }

    // MARK: Errors

    @Test func aWrongSecretIsAClearAccessDenied() async throws {
        let key = "\(prefix)/secret.bin"
        try await client.putObject(bucket: bucket, key: key, bytes: [1])
        var wrong = configuration
        wrong.secretKey = "not-the-secret-\(UUID().uuidString)"
        let badClient = try S3Client(configuration: wrong)

        let getError = await #expect(throws: SluiceError.self) {
            _ = try await badClient.getObject(bucket: self.bucket, key: key)
        }
        #expect(getError?.code == .s3)
        #expect(getError?.description.contains("HTTP 403") == true)
        #expect(getError?.description.contains("access denied") == true)
        #expect(getError?.description.contains("s3://\(bucket)/\(key)") == true)
        let s3Code = (getError?.underlying as? S3ErrorResponse)?.code
        #expect(s3Code == "SignatureDoesNotMatch" || s3Code == "AccessDenied")
        #expect(getError.map { String(reflecting: $0).contains(wrong.secretKey) } == false)

        let headError = await #expect(throws: SluiceError.self) {
            _ = try await badClient.headObject(bucket: self.bucket, key: key)
        }
        #expect(headError?.code == .s3)
        #expect(headError?.description.contains("403") == true)
    }

    @Test func aMissingKeyIsSourceNotFound() async throws {
        let key = "\(prefix)/does-not-exist.csv"
        let source = S3ObjectSource(bucket: bucket, key: key, client: client)
        let describeError = await #expect(throws: SluiceError.self) { _ = try await source.describe() }
        #expect(describeError?.code == .sourceNotFound)
        #expect(describeError?.object == "s3://\(bucket)/\(key)")

        let getError = await #expect(throws: SluiceError.self) {
            _ = try await self.client.getObject(bucket: self.bucket, key: key)
        }
        #expect(getError?.code == .sourceNotFound)
        #expect(getError?.description.contains("NoSuchKey") == true)

        var reader = try await source.open(at: 0, expectedETag: nil)
        let readError = await #expect(throws: SluiceError.self) { _ = try await reader.next() }
        #expect(readError?.code == .sourceNotFound)
    }

    @Test func aStaleETagIsSourceChanged() async throws {
        let key = "\(prefix)/changing.bin"
        let oldETag = try await client.putObject(bucket: bucket, key: key, bytes: Self.randomBytes(count: 1000, seed: 4))
        try await client.putObject(bucket: bucket, key: key, bytes: Self.randomBytes(count: 1000, seed: 5))
        let source = S3ObjectSource(bucket: bucket, key: key, client: client)
        var reader = try await source.open(at: 10, expectedETag: oldETag)
        let error = await #expect(throws: SluiceError.self) { _ = try await reader.next() }
        #expect(error?.code == .sourceChanged)
        #expect(error?.object == "s3://\(bucket)/\(key)")
    }

    // MARK: Dropped connections

    @Test func aReadResumesAfterTheConnectionIsCutThreeTimes() async throws {
        let content = Self.randomBytes(count: 8 * 1024 * 1024 + 3, seed: 6)
        let key = "\(prefix)/cut.bin"
        try await client.putObject(bucket: bucket, key: key, bytes: content)

        let proxy = try Self.proxy(for: configuration, cutAfterBytes: 2_000_000, cuts: 3)
        let port = try await proxy.start()
        let httpClient = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            let proxied = try Self.client(through: port, configuration: configuration, httpClient: httpClient)
            let source = S3ObjectSource(bucket: bucket, key: key, client: proxied)
            let object = try await source.describe()
            var reader = try source.reader(at: 0, expectedETag: object.etag)
            var hash = SHA256()
            var count = 0
            while let chunk = try await reader.next() {
                hash.update(data: chunk)
                count += chunk.count
            }
            #expect(count == content.count)
            #expect(Array(hash.finalize()) == Array(SHA256.hash(data: content)))
            #expect(proxy.cutCount == 3)
            #expect(reader.requestCount == 4)
        } catch {
            Issue.record(error)
        }
        try await httpClient.shutdown()
        try await proxy.stop()
    }

    @Test func aReadGivesUpWhenEveryConnectionIsCut() async throws {
        let key = "\(prefix)/always-cut.bin"
        try await client.putObject(bucket: bucket, key: key, bytes: Self.randomBytes(count: 300_000, seed: 7))

        // 100 bytes ends every response inside its header, so no attempt makes progress.
        let proxy = try Self.proxy(for: configuration, cutAfterBytes: 100, cuts: .max)
        let port = try await proxy.start()
        let httpClient = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            let proxied = try Self.client(through: port, configuration: configuration, httpClient: httpClient)
            let source = S3ObjectSource(bucket: bucket, key: key, client: proxied)
            var reader = try source.reader(at: 1234)
            let error = await #expect(throws: SluiceError.self) { _ = try await reader.next() }
            #expect(error?.code == .sourceRead)
            #expect(error?.object == "s3://\(bucket)/\(key)")
            #expect(error?.reason.contains("offset 1234") == true)
            #expect(error?.reason.contains("5 attempts") == true)
            #expect(reader.requestCount == configuration.maxAttempts)
            #expect(proxy.cutCount == configuration.maxAttempts)
        } catch {
            Issue.record(error)
        }
        try await httpClient.shutdown()
        try await proxy.stop()
    }

    @Test func aReadRecoversWhenTheFirstResponsesAreCutInTheirHead() async throws {
        let content = Self.randomBytes(count: 200_000, seed: 10)
        let key = "\(prefix)/head-cut.bin"
        try await client.putObject(bucket: bucket, key: key, bytes: content)

        let proxy = try Self.proxy(for: configuration, cutAfterBytes: 100, cuts: 2)
        let port = try await proxy.start()
        let httpClient = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            let proxied = try Self.client(through: port, configuration: configuration, httpClient: httpClient)
            var reader = try S3ObjectSource(bucket: bucket, key: key, client: proxied).reader(at: 7)
            var received: [UInt8] = []
            while let chunk = try await reader.next() {
                received.append(contentsOf: chunk)
            }
            #expect(received == Array(content[7...]))
            #expect(reader.requestCount == 3)
            #expect(proxy.cutCount == 2)
        } catch {
            Issue.record(error)
        }
        try await httpClient.shutdown()
        try await proxy.stop()
    }

    @Test func anObjectOverwrittenBeforeAResumeIsSourceChanged() async throws {
        let key = "\(prefix)/overwritten.bin"
        try await client.putObject(bucket: bucket, key: key, bytes: Self.randomBytes(count: 4 * 1024 * 1024, seed: 8))

        let proxy = try Self.proxy(for: configuration, cutAfterBytes: 1_500_000, cuts: 1)
        let port = try await proxy.start()
        let httpClient = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            let proxied = try Self.client(through: port, configuration: configuration, httpClient: httpClient)
            let source = S3ObjectSource(bucket: bucket, key: key, client: proxied)
            var reader = try await source.open(at: 0, expectedETag: nil)
            let first = try await reader.next()
            #expect(first != nil)
            // The first connection is cut at 1.5 MB; the resume after it must notice the new version.
            try await client.putObject(bucket: bucket, key: key, bytes: Self.randomBytes(count: 4 * 1024 * 1024, seed: 9))
            let error = await #expect(throws: SluiceError.self) {
                while try await reader.next() != nil {}
            }
            #expect(error?.code == .sourceChanged)
            #expect(proxy.cutCount == 1)
        } catch {
            Issue.record(error)
        }
        try await httpClient.shutdown()
        try await proxy.stop()
    }

    // MARK: Helpers

    /// A proxy in front of the configured S3 endpoint.
    static func proxy(for configuration: S3Configuration, cutAfterBytes: Int, cuts: Int) throws -> CuttingProxy {
        guard let endpoint = URLComponents(string: configuration.endpoint), let host = endpoint.host,
            let port = endpoint.port
        else {
            throw S3TestSetupError("SLUICE_S3_ENDPOINT must name a host and port: \(configuration.endpoint)")
        }
        return CuttingProxy(upstreamHost: host, upstreamPort: port, cutAfterBytes: cutAfterBytes, cuts: cuts)
    }

    /// A client that connects through the proxy and signs for the proxy's address, which is
    /// the `Host` the server receives and checks the signature against.
    static func client(through port: Int, configuration: S3Configuration, httpClient: HTTPClient) throws -> S3Client {
        var proxied = configuration
        proxied.endpoint = "http://127.0.0.1:\(port)"
        proxied.retryBackoff = .milliseconds(20)
        return try S3Client(configuration: proxied, httpClient: httpClient)
    }

    static func collect(_ body: S3ObjectBody) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        for try await buffer in body {
            bytes.append(contentsOf: buffer.readableBytesView)
        }
        return bytes
    }

    /// Incompressible, reproducible test content (xorshift64*).
    static func randomBytes(count: Int, seed: UInt64) -> [UInt8] {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        var bytes = [UInt8](repeating: 0, count: count)
        bytes.withUnsafeMutableBytes { raw in
            var index = 0
            while index < count {
                state ^= state >> 12
                state ^= state << 25
                state ^= state >> 27
                var word = state &* 0x2545_F491_4F6C_DD1D
                for _ in 0..<8 where index < count {
                    raw[index] = UInt8(truncatingIfNeeded: word)
                    word >>= 8
                    index += 1
                }
            }
        }
        return bytes
    }
}

/// Why an S3 integration test could not start.
struct S3TestSetupError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
