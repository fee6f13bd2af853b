import Foundation
import NIOCore

/// A file's content as a sequence of buffers, read from disk only as the upload asks for more.
struct FileChunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    static let chunkSize = 1 << 20

    let handle: FileHandle

    func makeAsyncIterator() -> Iterator {
        Iterator(handle: handle)
    }

    struct Iterator: AsyncIteratorProtocol {
        let handle: FileHandle

        mutating func next() async throws -> ByteBuffer? {
            guard let data = try handle.read(upToCount: FileChunks.chunkSize), !data.isEmpty else {
                return nil
            }
            return ByteBuffer(bytes: data)
        }
    }
}
