/// Thrown by a handler whose job can never succeed, however often it is tried (the input is
/// unreadable, the pipeline invalid): the job is `dead` at once with this error, instead of
/// being retried with backoff until its attempts run out.
public struct JobFailedPermanently: Error, Sendable, CustomStringConvertible {
    public var reason: String

    public init(_ reason: String) {
        self.reason = reason
    }

    public var description: String { reason }
}
