import SluiceS3

/// The polling side of bucket drops, for stores that cannot notify (the local SeaweedFS among
/// them): lists every watched bucket and prefix with ListObjectsV2, page by page, and routes
/// each object to its pipeline.
///
/// It reports what is there now; which of those versions were already taken is decided where
/// runs are created (one per bucket, key and ETag), so a scan may safely report an object again.
/// Keys need not grow (uploads arrive in any order), so it pages with continuation tokens and
/// never with `StartAfter`.
public struct BucketScanner: Sendable {
    let client: S3Client
    let router: WatchRouter
    /// Keys per ListObjectsV2 page (S3 caps it at 1000).
    let pageSize: Int

    public init(client: S3Client, router: WatchRouter, pageSize: Int = 1000) {
        self.client = client
        self.router = router
        self.pageSize = pageSize
    }

    /// Every object under a watched prefix that a pipeline takes, in listing order per prefix.
    /// An object under two watched prefixes (`incoming/` and `incoming/xlsx/`) is reported once.
    public func scan() async throws -> [DroppedObject] {
        var found: [DroppedObject] = []
        var seen = Set<String>()
        for watched in router.watchedPrefixes {
            var token: String?
            repeat {
                let page = try await client.listObjectsV2(
                    bucket: watched.bucket, prefix: watched.prefix.isEmpty ? nil : watched.prefix, continuationToken: token, maxKeys: pageSize)
                for object in page.objects {
                    guard let pipeline = router.pipeline(bucket: watched.bucket, key: object.key),
                          seen.insert(watched.bucket + "/" + object.key).inserted
                    else { continue }
                    found.append(DroppedObject(pipeline: pipeline, bucket: watched.bucket, key: object.key, etag: object.etag, size: object.size))
                }
                token = page.isTruncated ? page.nextContinuationToken : nil
            } while token != nil
        }
        return found
    }
}
