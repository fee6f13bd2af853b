import Foundation

/// A job a worker holds the lease on: what to do (`kind`, `payload`) and the lease that every
/// write about it must name (fencing).
public struct ClaimedJob: Sendable, Hashable {
    public var id: Int64
    public var kind: String
    /// The payload as JSON text.
    public var payload: String
    /// This attempt's number, from 1.
    public var attempt: Int
    public var maxAttempts: Int
    /// Who holds the lease (`host/pid#worker`).
    public var owner: String
    /// Changes with every claim; a write naming an older token is refused.
    public var leaseToken: UUID
    /// How long the lease lasts after the claim and after each heartbeat.
    public var leaseTTL: Duration
    public var createdAt: Date

    public init(id: Int64, kind: String, payload: String, attempt: Int, maxAttempts: Int, owner: String, leaseToken: UUID, leaseTTL: Duration, createdAt: Date) {
        self.id = id
        self.kind = kind
        self.payload = payload
        self.attempt = attempt
        self.maxAttempts = maxAttempts
        self.owner = owner
        self.leaseToken = leaseToken
        self.leaseTTL = leaseTTL
        self.createdAt = createdAt
    }

    /// The payload decoded as `type`.
    public func decodePayload<T: Decodable>(as type: T.Type = T.self) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(payload.utf8))
    }
}
