import SluiceCore
import Synchronization

/// Adds up what parallel sinks committed, for progress reports.
final class ProgressTally: Sendable {
    private struct State {
        var counters = RunCounters()
        var offset: Int64
    }

    private let state: Mutex<State>

    init(startOffset: Int64) {
        state = Mutex(State(offset: startOffset))
    }

    /// Adds one committed batch; returns the totals and the furthest offset committed.
    func add(_ counters: RunCounters, offset: Int64) -> (RunCounters, Int64) {
        state.withLock { state in
            state.counters.add(counters)
            state.offset = max(state.offset, offset)
            return (state.counters, state.offset)
        }
    }
}
