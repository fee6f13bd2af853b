import Foundation
import SluiceCore

/// A bucket notification as MinIO posts it to a webhook target: one JSON document with one or
/// more `Records`, each an S3 event (`s3:ObjectCreated:Put`, `s3:ObjectRemoved:Delete`, …).
///
/// Only created objects start runs, so `createdObjects` keeps those. In a record the object key
/// is URL-query-escaped as MinIO writes it (a space as `+`, other bytes as `%XX`); the top-level
/// `Key` (`bucket/key`, not escaped) is not used, since a document may carry several records.
public struct BucketNotification: Sendable, Hashable {
    /// An object that was created or overwritten, with the version identity a run needs.
    public struct CreatedObject: Sendable, Hashable {
        public var bucket: String
        /// The key as stored, unescaped.
        public var key: String
        /// Without quotes, as `HEAD` reports it and runs record it.
        public var etag: String
        public var size: Int64
        /// MinIO's ordering token for events on the same key; later events sort higher.
        public var sequencer: String?

        public init(bucket: String, key: String, etag: String, size: Int64, sequencer: String? = nil) {
            self.bucket = bucket
            self.key = key
            self.etag = etag
            self.size = size
            self.sequencer = sequencer
        }

        /// `s3://bucket/key`, as runs name their object.
        public var uri: String { "s3://\(bucket)/\(key)" }
    }

    /// Every record's event name, in order, created or not.
    public var eventNames: [String]
    /// The records that created an object, in order.
    public var createdObjects: [CreatedObject]

    /// Reads MinIO's JSON.
    ///
    /// - Throws: `SluiceError` (`invalid_argument`) when the body is not JSON of that shape, or a
    ///   created object's key is not valid escaping, naming the record.
    public init(json: Data) throws {
        let document: Document
        do {
            document = try JSONDecoder().decode(Document.self, from: json)
        } catch {
            throw SluiceError(.invalidArgument, "not a bucket notification: \(Self.describe(error))")
        }
        eventNames = document.Records.map(\.eventName)
        createdObjects = []
        for (index, record) in document.Records.enumerated() where record.eventName.hasPrefix("s3:ObjectCreated:") {
            guard let object = record.s3.object, let bucket = record.s3.bucket?.name, !bucket.isEmpty else {
                throw SluiceError(.invalidArgument, "Records[\(index)] (\(record.eventName)) names no bucket or object")
            }
            guard let key = Self.unescapeQuery(object.key), !key.isEmpty else {
                throw SluiceError(.invalidArgument, "Records[\(index)].s3.object.key is not a URL-escaped key: \(object.key)")
            }
            createdObjects.append(CreatedObject(
                bucket: bucket, key: key, etag: Self.unquote(object.eTag ?? ""), size: object.size ?? 0, sequencer: object.sequencer))
        }
    }

    /// Undoes Go's `url.QueryEscape`: `+` is a space, `%XX` a byte; `nil` for a broken escape
    /// or bytes that are not UTF-8.
    static func unescapeQuery(_ escaped: String) -> String? {
        escaped.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }

    static func unquote(_ etag: String) -> String {
        var value = Substring(etag)
        if value.hasPrefix("\"") { value = value.dropFirst() }
        if value.hasSuffix("\"") { value = value.dropLast() }
        return String(value)
    }

    private static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        switch error {
        case .keyNotFound(let key, let context):
            return "no \(Self.path(context.codingPath + [key]))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "wrong type at \(Self.path(context.codingPath))"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "the body is not JSON" : "bad value at \(Self.path(context.codingPath))"
        @unknown default:
            return "\(error)"
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
    }

    // MinIO's field names, as it writes them.
    private struct Document: Decodable {
        var Records: [Record]
    }

    private struct Record: Decodable {
        var eventName: String
        var s3: Entity
    }

    private struct Entity: Decodable {
        var bucket: Bucket?
        var object: Object?
    }

    private struct Bucket: Decodable {
        var name: String
    }

    private struct Object: Decodable {
        var key: String
        var size: Int64?
        var eTag: String?
        var sequencer: String?
    }
}
