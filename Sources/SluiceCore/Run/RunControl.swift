import Synchronization

/// Lets the outside (a signal handler, an operator's cancel) ask a running run to stop
/// reading. The run commits what it has in flight, then ends `interrupted` or `cancelled`.
public final class RunControl: Sendable {
    private let reason = Mutex<RunStateMachine.StopReason?>(nil)

    public init() {}

    /// Asks the run to stop; the first request's reason wins. Returns whether this was the first.
    @discardableResult
    public func requestStop(_ stop: RunStateMachine.StopReason) -> Bool {
        reason.withLock { current in
            guard current == nil else { return false }
            current = stop
            return true
        }
    }

    /// Why the run was asked to stop, or `nil`.
    public var stopReason: RunStateMachine.StopReason? { reason.withLock { $0 } }
}
