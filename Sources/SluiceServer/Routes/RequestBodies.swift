import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Reading request bodies the same way on every route: JSON with a size limit and problems
/// that say what was expected, and large bodies spooled to disk instead of memory.
extension ServerRoutes {
    /// Decodes a JSON body of at most `limit` bytes; 415 unless it is `application/json`, 413
    /// when longer, 400 naming the expected `shape` when it does not decode.
    static func decodeJSON<Value: Decodable>(_ request: Request, upTo limit: Int, shape: String) async throws -> Value {
        let contentType = request.headers[.contentType] ?? ""
        guard contentType.lowercased().hasPrefix("application/json") else {
            throw ProblemDetails(status: .unsupportedMediaType, code: "unsupported_media_type", title: "Unsupported media type",
                                 detail: "send application/json, found '\(contentType)'")
        }
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: limit)
        } catch {
            throw ProblemDetails(status: .contentTooLarge, code: "too_large", title: "Content too large", detail: "this request is at most \(limit) bytes")
        }
        do {
            return try JSONDecoder().decode(Value.self, from: Data(buffer: body))
        } catch {
            throw ProblemDetails.invalidRequest("the body must be JSON \(shape)")
        }
    }
}

/// Writes a request body to a temporary file, refusing it (413) past `limit` bytes: an import
/// of any size costs one chunk of memory.
enum RequestSpool {
    static func spool(_ body: RequestBody, upTo limit: Int64) async throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-spool-\(UUID().uuidString)").path
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw ProblemDetails(status: .internalServerError, code: "internal", title: "Cannot store the body", detail: "the server cannot write a temporary file")
        }
        do {
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            var size: Int64 = 0
            for try await chunk in body {
                size += Int64(chunk.readableBytes)
                guard size <= limit else {
                    throw ProblemDetails(status: .contentTooLarge, code: "too_large", title: "Content too large", detail: "this body is at most \(limit) bytes")
                }
                try handle.write(contentsOf: chunk.readableBytesView)
            }
            return path
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            throw error
        }
    }
}
