import Foundation
import Hummingbird
import NIOCore

/// A response body read from a temporary file in fixed chunks, the file deleted once sent
/// (or once sending failed): the answer's memory is one chunk whatever the file's size.
enum TemporaryFileBody {
    static let chunkSize = 256 << 10

    static func body(path: String) -> ResponseBody {
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
        return ResponseBody(contentLength: size) { writer in
            defer { try? FileManager.default.removeItem(atPath: path) }
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            while let data = try handle.read(upToCount: chunkSize), !data.isEmpty {
                try await writer.write(ByteBuffer(bytes: data))
            }
            try await writer.finish(nil)
        }
    }
}
