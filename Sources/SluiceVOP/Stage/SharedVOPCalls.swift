import Synchronization

/// Provider calls shared across the batches of one run: a payee asked about while a call for
/// it is in flight waits for that call instead of paying for another, and a payee answered a
/// moment ago reuses the answer while its batch has not committed it to the cache yet.
///
/// The recent answers are bounded (`recentCapacity`, oldest dropped first), so memory stays
/// flat whatever the file; beyond them the PostgreSQL cache answers.
final class SharedVOPCalls<Key: Hashable & Sendable, Answer: Sendable>: Sendable {
    /// How a caller got its answer.
    enum Source: Sendable {
        /// Its own call.
        case called
        /// Another caller's call, in flight or recent.
        case shared
    }

    private enum Role {
        case recent(Answer)
        case waiter
        case owner
    }

    private struct State {
        var inFlight: [Key: [CheckedContinuation<Answer?, any Error>]] = [:]
        var recent: [Key: Answer] = [:]
        /// Keys of `recent`, oldest first, as a ring.
        var order: [Key] = []
        var next = 0
    }

    private let state = Mutex(State())
    let recentCapacity: Int

    init(recentCapacity: Int = 65_536) {
        self.recentCapacity = max(recentCapacity, 0)
    }

    /// A recent answer for `key`, if there is one.
    func recentAnswer(for key: Key) -> Answer? {
        state.withLock { $0.recent[key] }
    }

    /// The answer for `key`: a recent one, the one of a call in flight, or else the answer of
    /// `call`, made here and handed to every caller that asks meanwhile. `keep` says whether
    /// an answer may be reused by later callers (an unavailable answer must not be).
    func answer(
        for key: Key, keep: @Sendable (Answer) -> Bool, call: () async throws -> Answer
    ) async throws -> (Answer, Source) {
        let waited: Answer? = try await withCheckedThrowingContinuation { continuation in
            let role = state.withLock { state -> Role in
                if let answer = state.recent[key] { return .recent(answer) }
                if state.inFlight[key] != nil {
                    state.inFlight[key]!.append(continuation)
                    return .waiter
                }
                state.inFlight[key] = []
                return .owner
            }
            switch role {
            case .recent(let answer): continuation.resume(returning: answer)
            case .waiter: break
            case .owner: continuation.resume(returning: nil)
            }
        }
        if let waited { return (waited, .shared) }
        do {
            let answer = try await call()
            let waiters = state.withLock { state in
                if keep(answer) { Self.remember(answer, for: key, in: &state, capacity: recentCapacity) }
                return state.inFlight.removeValue(forKey: key) ?? []
            }
            for waiter in waiters { waiter.resume(returning: answer) }
            return (answer, .called)
        } catch {
            let waiters = state.withLock { $0.inFlight.removeValue(forKey: key) ?? [] }
            for waiter in waiters { waiter.resume(throwing: error) }
            throw error
        }
    }

    private static func remember(_ answer: Answer, for key: Key, in state: inout State, capacity: Int) {
        guard capacity > 0, state.recent.updateValue(answer, forKey: key) == nil else { return }
        if state.order.count < capacity {
            state.order.append(key)
        } else {
            state.recent.removeValue(forKey: state.order[state.next])
            state.order[state.next] = key
            state.next = (state.next + 1) % capacity
        }
    }
}
