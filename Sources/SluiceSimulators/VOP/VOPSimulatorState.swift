import Synchronization

/// The simulator's counters, fault settings and generator, behind one lock.
final class VOPSimulatorState: Sendable {
    /// What the simulator does with one call, decided when it arrives.
    struct Plan: Sendable {
        var sequence: Int
        var fault: VOPFault?
        var latency: Duration
        var retryAfterSeconds: Int
        var timeout: Duration
        var errorStatus: Int
    }

    private struct State {
        var injector: FaultInjector<VOPFaultConfiguration>
        var start = ContinuousClock.now
        var sequence = 0
        var calls: [String: Int] = [:]
        var outcomes: [String: [String: Int]] = [:]
        var faultCounts: [String: Int] = [:]
        var inFlight = 0
        var maxConcurrent = 0
        var timestamps: [Double] = []
        var requests: [VOPSimulatorStats.RecordedRequest] = []

        mutating func resetCounters() {
            injector.restart()
            start = .now
            sequence = 0
            calls = [:]
            outcomes = [:]
            faultCounts = [:]
            maxConcurrent = inFlight
            timestamps = []
            requests = []
        }
    }

    private let state: Mutex<State>
    private let recordLimit: Int

    init(faults: VOPFaultConfiguration, seed: UInt64, recordLimit: Int) {
        state = Mutex(State(injector: FaultInjector(faults: faults, seed: seed)))
        self.recordLimit = recordLimit
    }

    /// Counts an arriving call and decides its fault. `refusal` (`unauthorized`, `badRequest`)
    /// is a call refused before any fault applies.
    func begin(api: String, request: VOPSimulatorStats.RecordedRequest, refusal: String? = nil) -> Plan {
        state.withLock { state in
            state.sequence += 1
            let now = state.start.duration(to: .now)
            let at = Double(now.components.seconds) + Double(now.components.attoseconds) / 1e18
            state.calls[api, default: 0] += 1
            state.calls["total", default: 0] += 1
            state.inFlight += 1
            state.maxConcurrent = max(state.maxConcurrent, state.inFlight)
            state.timestamps.append(at)
            if state.timestamps.count > recordLimit { state.timestamps.removeFirst(state.timestamps.count - recordLimit) }
            var fault: VOPFault?
            if let refusal {
                state.faultCounts[refusal, default: 0] += 1
            } else {
                fault = state.injector.nextFault()
            }
            if let fault { state.faultCounts[fault.rawValue, default: 0] += 1 }
            var record = request
            record.sequence = state.sequence
            record.api = api
            record.at = at
            record.fault = fault
            state.requests.append(record)
            if state.requests.count > recordLimit { state.requests.removeFirst(state.requests.count - recordLimit) }
            let faults = state.injector.faults
            return Plan(
                sequence: state.sequence, fault: fault, latency: .milliseconds(faults.latencyMs),
                retryAfterSeconds: faults.retryAfterSeconds, timeout: .milliseconds(faults.timeoutMs), errorStatus: faults.errorStatus)
        }
    }

    /// Counts the end of call `sequence`, with its status and match answer.
    func end(api: String, sequence: Int, status: Int, answer: String?) {
        state.withLock { state in
            state.inFlight -= 1
            if let answer { state.outcomes[api, default: [:]][answer, default: 0] += 1 }
            if let index = state.requests.lastIndex(where: { $0.sequence == sequence }) {
                state.requests[index].status = status
                state.requests[index].answer = answer
            }
        }
    }

    var faults: VOPFaultConfiguration { state.withLock { $0.injector.faults } }

    /// Applies a partial update; a new seed restarts the generator.
    @discardableResult
    func update(_ patch: VOPFaultConfiguration.Patch) -> VOPFaultConfiguration {
        state.withLock { $0.injector.update(patch) }
    }

    /// Zeroes the counters and restarts the generator from its seed; the settings stay.
    func reset() {
        state.withLock { $0.resetCounters() }
    }

    func stats() -> VOPSimulatorStats {
        state.withLock { state in
            let now = state.start.duration(to: .now)
            let nowSeconds = Double(now.components.seconds) + Double(now.components.attoseconds) / 1e18
            return VOPSimulatorStats(
                calls: state.calls, outcomes: state.outcomes, faults: state.faultCounts, inFlight: state.inFlight,
                maxConcurrent: state.maxConcurrent, callsLastSecond: state.timestamps.reversed().prefix { $0 > nowSeconds - 1 }.count,
                callTimestamps: state.timestamps, requests: state.requests)
        }
    }
}
