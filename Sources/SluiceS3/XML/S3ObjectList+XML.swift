import Foundation

extension S3ObjectList {
    /// Parses a `<ListBucketResult>` document of ListObjectsV2.
    ///
    /// - Throws: `S3XMLError` when the document is malformed or is not a listing.
    init(xml bytes: [UInt8]) throws {
        let root = try S3XMLNode.parse(bytes)
        guard root.name == "ListBucketResult" else {
            throw S3XMLError(line: 1, reason: "expected <ListBucketResult>, found <\(root.name)>")
        }
        var objects: [S3ObjectSummary] = []
        for entry in root.children("Contents") {
            guard let key = entry.text(of: "Key") else {
                throw S3XMLError(line: 0, reason: "<Contents> without <Key>")
            }
            guard let size = entry.text(of: "Size").flatMap({ Int64($0.trimmingCharacters(in: .whitespaces)) }) else {
                throw S3XMLError(line: 0, reason: "<Contents> without a valid <Size>")
            }
            objects.append(
                S3ObjectSummary(
                    key: key,
                    size: size,
                    etag: S3ObjectHead.unquote(entry.text(of: "ETag") ?? ""),
                    lastModified: entry.text(of: "LastModified").flatMap(S3Date.parseISO8601)
                )
            )
        }
        let prefixes = root.children("CommonPrefixes").compactMap { $0.text(of: "Prefix") }
        let truncated = root.text(of: "IsTruncated")?.trimmingCharacters(in: .whitespaces).lowercased() == "true"
        let token = root.text(of: "NextContinuationToken").flatMap { $0.isEmpty ? nil : $0 }
        self.init(objects: objects, commonPrefixes: prefixes, isTruncated: truncated, nextContinuationToken: token)
    }
}
