/// What a `notifications` job asks for: process these stored notifications. A replay processes
/// them again even when they were processed (an operator's `replay`).
public struct NotificationJobPayload: Sendable, Hashable, Codable {
    public var ids: [Int64]
    public var replay: Bool?

    public init(ids: [Int64], replay: Bool? = nil) {
        self.ids = ids
        self.replay = replay
    }
}
