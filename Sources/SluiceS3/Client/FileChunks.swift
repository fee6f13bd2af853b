import Foundation
import NIOCore

/// A file's content as a sequence of buffers, read from disk only as the upload asks for more.
///
/// Each iteration starts at the beginning of the file, so a retried upload sends it whole again.
struct FileChunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    static let chunkSize = 1 << 20

    let handle: FileHandle

    func makeAsyncIterator() -> Iterator {
        Iterator(handle: handle)
    }

    struct Iterator: AsyncIteratorProtocol {
        let handle: FileHandle
        var started = false

        mutating func next() async throws -> ByteBuffer? {
            if !started {
                started = true
                try handle.seek(toOffset: 0)
            }
            guard let data = try handle.read(upToCount: FileChunks.chunkSize), !data.isEmpty else {
                return nil
            }
            return ByteBuffer(bytes: data)
        }
    }
}
