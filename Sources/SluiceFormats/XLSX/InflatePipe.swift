import AsyncAlgorithms
import SluiceCore

/// Inflates a sheet part in its own task while the caller parses: a bounded hand-off of
/// uncompressed chunks (one in flight), so inflate and XML parsing overlap on two cores.
///
/// The task bridges the decoder's pull API to a concurrent producer; it is cancelled when
/// the pipe goes away, and `send` returns on cancellation, so it never outlives its reader.
final class InflatePipe {
    private let channel = AsyncThrowingChannel<[UInt8], any Error>()
    private let task: Task<Void, Never>
    private var iterator: AsyncThrowingChannel<[UInt8], any Error>.AsyncIterator

    init(parts: WorkbookParts, path: String, maxBytes: Int64) {
        let channel = self.channel
        iterator = channel.makeAsyncIterator()
        task = Task {
            do {
                var stream = try await parts.stream(of: path, maxBytes: maxBytes)
                while let chunk = try await stream.next() {
                    await channel.send(chunk)
                    if Task.isCancelled { return }
                }
                channel.finish()
            } catch {
                channel.fail(error)
            }
        }
    }

    deinit {
        task.cancel()
    }

    /// The next uncompressed chunk, or `nil` at the end of the part.
    func next() async throws -> [UInt8]? {
        try await iterator.next()
    }
}
