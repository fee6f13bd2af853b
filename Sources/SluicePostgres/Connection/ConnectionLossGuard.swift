import NIOCore
import PostgresNIO
import SluiceCore
import Synchronization

/// Fails database calls at once when their connection closes.
///
/// After a server restart PostgresNIO can leave a call (seen with `copyFrom` and with a
/// plain query issued just after the close) waiting on a continuation that is never
/// resumed, so a run would hang instead of failing and becoming resumable. The guard
/// watches the connection's close future (one callback per connection, not per call) and
/// resumes the waiting caller with an error. The abandoned PostgresNIO call stays parked
/// on the dead connection.
public final class ConnectionLossGuard: Sendable {
    private struct State {
        var closed = false
        var failWaiting: [Int: @Sendable (any Error) -> Void] = [:]
        var nextToken = 0
    }

    private let state = Mutex(State())

    public init(connection: PostgresConnection) {
        connection.closeFuture.whenComplete { [weak self] _ in self?.connectionClosed() }
    }

    /// Runs `work`, or throws as soon as the connection closes, whichever comes first.
    public func run<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let token: Int? = state.withLock { state in
                guard !state.closed else { return nil }
                state.nextToken += 1
                state.failWaiting[state.nextToken] = { continuation.resume(throwing: $0) }
                return state.nextToken
            }
            guard let token else {
                continuation.resume(throwing: Self.closedError)
                return
            }
            // A bridge, not a stray task: whichever of its result and the close comes first
            // resumes the caller, exactly once.
            Task {
                let result: Result<T, any Error>
                do {
                    result = .success(try await work())
                } catch {
                    result = .failure(error)
                }
                if self.state.withLock({ $0.failWaiting.removeValue(forKey: token) }) != nil {
                    continuation.resume(with: result)
                }
            }
        }
    }

    private func connectionClosed() {
        let waiting = state.withLock { state -> [@Sendable (any Error) -> Void] in
            state.closed = true
            defer { state.failWaiting.removeAll() }
            return Array(state.failWaiting.values)
        }
        for fail in waiting { fail(Self.closedError) }
    }

    static let closedError = SluiceError(.database, "the connection to PostgreSQL closed")
}
