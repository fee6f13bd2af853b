import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import Synchronization

/// Reads one gateway answer for `GenesisTransport`: keeps at most `limit` body bytes and
/// remembers whether the request head went out, which is what tells `.notSent` from
/// `.noAnswer` when the call fails.
final class GenesisAnswerCollector: HTTPClientResponseDelegate {
    struct Answer: Sendable {
        var status: Int
        var body: [UInt8]
    }

    /// The answer is larger than the limit (by its `Content-Length` or by what arrived).
    struct TooLarge: Error {
        var limit: Int
    }

    private struct State {
        var headSent = false
        var status = 0
        var body: [UInt8] = []
    }

    let limit: Int
    private let state = Mutex(State())

    init(limit: Int) {
        self.limit = limit
    }

    /// Whether the request head was written: from then on the gateway may act on the request.
    var headSent: Bool { state.withLock { $0.headSent } }

    func didSendRequestHead(task: HTTPClient.Task<Answer>, _ head: HTTPRequestHead) {
        state.withLock { $0.headSent = true }
    }

    func didReceiveHead(task: HTTPClient.Task<Answer>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        // Refuse an announced oversize body before a byte of it is read.
        if let length = head.headers.first(name: "Content-Length").flatMap(Int.init), length > limit {
            return task.eventLoop.makeFailedFuture(TooLarge(limit: limit))
        }
        state.withLock { $0.status = Int(head.status.code) }
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didReceiveBodyPart(task: HTTPClient.Task<Answer>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        let fits = state.withLock { state in
            guard state.body.count + buffer.readableBytes <= limit else { return false }
            state.body.append(contentsOf: buffer.readableBytesView)
            return true
        }
        return fits ? task.eventLoop.makeSucceededVoidFuture() : task.eventLoop.makeFailedFuture(TooLarge(limit: limit))
    }

    func didFinishRequest(task: HTTPClient.Task<Answer>) throws -> Answer {
        state.withLock { Answer(status: $0.status, body: $0.body) }
    }
}
