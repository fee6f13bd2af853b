import NIOCore
import Synchronization

/// The simulator's later work: a timer heap of events, and a bounded queue of notifications due
/// for sending, between one scheduler and the sending workers of `GatewaySimulator.run()`.
///
/// The scheduler takes events as they fall due (`nextDue`) and hands notifications on
/// (`enqueue`), waiting while `capacity` of them wait for a worker; workers take them with
/// `nextNotification`. `stop()` (or cancelling a waiting task) ends every wait with `nil`.
final class GatewayEventQueue: Sendable {
    private struct Timed: Sendable {
        var due: ContinuousClock.Instant
        var sequence: Int
        var event: GatewayEvent

        func before(_ other: Timed) -> Bool { due < other.due || (due == other.due && sequence < other.sequence) }
    }

    private struct State: Sendable {
        var heap: [Timed] = []
        var sequence = 0
        var ready = CircularBuffer<GatewayNotification>()
        var delivering = 0
        var stopped = false
        var scheduler: CheckedContinuation<Void, Never>?
        var producer: CheckedContinuation<Void, Never>?
        var readers = CircularBuffer<CheckedContinuation<GatewayNotification?, Never>>()

        mutating func push(_ item: Timed) {
            heap.append(item)
            var child = heap.count - 1
            while child > 0 {
                let parent = (child - 1) / 2
                guard heap[child].before(heap[parent]) else { break }
                heap.swapAt(child, parent)
                child = parent
            }
        }

        mutating func popFirst() -> Timed? {
            guard !heap.isEmpty else { return nil }
            heap.swapAt(0, heap.count - 1)
            let first = heap.removeLast()
            var parent = 0
            while true {
                let left = 2 * parent + 1
                let right = left + 1
                var smallest = parent
                if left < heap.count, heap[left].before(heap[smallest]) { smallest = left }
                if right < heap.count, heap[right].before(heap[smallest]) { smallest = right }
                guard smallest != parent else { break }
                heap.swapAt(parent, smallest)
                parent = smallest
            }
            return first
        }
    }

    /// Notifications due and waiting for a worker before `enqueue` waits.
    let capacity: Int
    private let state = Mutex(State())

    /// How long the scheduler sleeps at most while events are pending, so one scheduled
    /// earlier than the one it sleeps for is late by no more than this.
    static let tick = Duration.milliseconds(10)

    init(capacity: Int) {
        self.capacity = max(capacity, 1)
    }

    /// Events scheduled, queued or being sent.
    var pendingCount: Int { state.withLock { $0.heap.count + $0.ready.count + $0.delivering } }

    /// Runs `event` once `delay` has passed.
    func schedule(_ event: GatewayEvent, after delay: Duration) {
        let due = ContinuousClock.now.advanced(by: max(delay, .zero))
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard !state.stopped else { return nil }
            state.sequence += 1
            state.push(Timed(due: due, sequence: state.sequence, event: event))
            defer { state.scheduler = nil }
            return state.scheduler
        }
        waiter?.resume()
    }

    /// Drops every event and queued notification (a reset); sends in progress finish.
    func clear() {
        let producer = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.heap = []
            state.ready = CircularBuffer()
            defer { state.producer = nil }
            return state.producer
        }
        producer?.resume()
    }

    /// Ends every wait, now and later.
    func stop() {
        let (scheduler, producer, readers) = state.withLock { state in
            state.stopped = true
            defer {
                state.scheduler = nil
                state.producer = nil
                state.readers = CircularBuffer()
            }
            return (state.scheduler, state.producer, state.readers)
        }
        scheduler?.resume()
        producer?.resume()
        for reader in readers { reader.resume(returning: nil) }
    }

    /// The next event once it is due; `nil` when stopped. For the one scheduler task.
    func nextDue() async -> GatewayEvent? {
        enum Step { case event(GatewayEvent), stop, sleep(ContinuousClock.Instant), wait }
        while true {
            let now = ContinuousClock.now
            let step = state.withLock { state -> Step in
                if state.stopped { return .stop }
                guard let first = state.heap.first else { return .wait }
                if first.due <= now { return .event(state.popFirst()!.event) }
                return .sleep(min(first.due, now.advanced(by: Self.tick)))
            }
            switch step {
            case .event(let event):
                return event
            case .stop:
                return nil
            case .sleep(let deadline):
                do { try await Task.sleep(until: deadline, clock: .continuous) } catch { stop() }
            case .wait:
                await withTaskCancellationHandler {
                    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                        let now = state.withLock { state -> Bool in
                            if state.stopped || !state.heap.isEmpty { return true }
                            state.scheduler = continuation
                            return false
                        }
                        if now { continuation.resume() }
                    }
                } onCancel: {
                    stop()
                }
            }
        }
    }

    /// Hands a due notification to a worker, waiting while `capacity` are queued; `false` when
    /// stopped. For the one scheduler task.
    @discardableResult
    func enqueue(_ notification: GatewayNotification) async -> Bool {
        enum Step { case done, stop, handed(CheckedContinuation<GatewayNotification?, Never>), full }
        while true {
            let step = state.withLock { state -> Step in
                if state.stopped { return .stop }
                if let reader = state.readers.popFirst() {
                    state.delivering += 1
                    return .handed(reader)
                }
                guard state.ready.count >= capacity else {
                    state.ready.append(notification)
                    return .done
                }
                return .full
            }
            switch step {
            case .done:
                return true
            case .stop:
                return false
            case .handed(let reader):
                reader.resume(returning: notification)
                return true
            case .full:
                await withTaskCancellationHandler {
                    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                        let now = state.withLock { state -> Bool in
                            if state.stopped || state.ready.count < capacity { return true }
                            state.producer = continuation
                            return false
                        }
                        if now { continuation.resume() }
                    }
                } onCancel: {
                    stop()
                }
            }
        }
    }

    /// The next notification to send; `nil` when stopped. Call `delivered()` when done with it.
    func nextNotification() async -> GatewayNotification? {
        let (taken, producer) = state.withLock { state -> (GatewayNotification??, CheckedContinuation<Void, Never>?) in
            if state.stopped { return (.some(nil), nil) }
            guard let first = state.ready.popFirst() else { return (nil, nil) }
            state.delivering += 1
            defer { state.producer = nil }
            return (.some(first), state.producer)
        }
        producer?.resume()
        if let taken { return taken }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<GatewayNotification?, Never>) in
                let (now, producer) = state.withLock { state -> (GatewayNotification??, CheckedContinuation<Void, Never>?) in
                    if state.stopped { return (.some(nil), nil) }
                    if let first = state.ready.popFirst() {
                        state.delivering += 1
                        defer { state.producer = nil }
                        return (.some(first), state.producer)
                    }
                    state.readers.append(continuation)
                    return (nil, nil)
                }
                producer?.resume()
                if let now { continuation.resume(returning: now) }
            }
        } onCancel: {
            stop()
        }
    }

    /// A worker is done with a notification from `nextNotification`.
    func delivered() {
        state.withLock { $0.delivering = max($0.delivering - 1, 0) }
    }
}
