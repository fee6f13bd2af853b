import AsyncAlgorithms
import Hummingbird
import NIOCore

/// A response body that a producer writes while it reads the database: the producer runs as a
/// child task and hands chunks over a channel without a buffer, so it waits for the socket
/// (back-pressure) and stops when the client goes away (cancellation).
enum StreamedBody {
    /// What a producer calls with each chunk; it throws once the answer is cancelled.
    typealias Send = @Sendable (ByteBuffer) async throws -> Void

    static func body(_ produce: @escaping @Sendable (_ send: Send) async throws -> Void) -> ResponseBody {
        ResponseBody { writer in
            let chunks = AsyncThrowingChannel<ByteBuffer, any Error>()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    do {
                        try await produce { chunk in
                            try Task.checkCancellation()
                            await chunks.send(chunk)
                        }
                        chunks.finish()
                    } catch {
                        chunks.fail(error)
                    }
                }
                for try await chunk in chunks {
                    try await writer.write(chunk)
                }
                try await group.waitForAll()
            }
            try await writer.finish(nil)
        }
    }
}
