/// Thrown by a handler that stopped early on purpose and left its work in a state another
/// attempt continues from (a run checkpointed at shutdown): the worker gives the job back to
/// `available` without counting the attempt, so any node takes it up at once.
public struct JobReleased: Error, Sendable, CustomStringConvertible {
    public var reason: String

    public init(_ reason: String) {
        self.reason = reason
    }

    public var description: String { "released: \(reason)" }
}
