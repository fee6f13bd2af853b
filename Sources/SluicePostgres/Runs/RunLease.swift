import Foundation
import SluiceCore

/// A process's hold on a run: its owner (`host/pid`), a token that changes with every new
/// holder, and how long it lasts without renewal.
///
/// Every write about the run (its batches, its status) names the token, so a process whose
/// lease expired or was taken over cannot commit anything: its writes find another token and
/// fail (fencing). Nothing lives in the session, so it works behind PgBouncer in transaction
/// pooling mode, unlike a session advisory lock.
public struct RunLease: Sendable, Hashable {
    public var runID: UUID
    public var owner: String
    public var token: UUID
    /// How long the lease lasts after each renewal.
    public var ttl: Duration

    public init(runID: UUID, owner: String, token: UUID, ttl: Duration) {
        self.runID = runID
        self.owner = owner
        self.token = token
        self.ttl = ttl
    }

    /// The TTL in seconds, as SQL takes it.
    var ttlSeconds: Double {
        let (seconds, attoseconds) = ttl.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    public static func lost(_ runID: UUID, doing action: String) -> SluiceError {
        SluiceError(.leaseLost, """
            this process no longer holds run \(runID.uuidString.lowercased()) (its lease expired or another process took it over), \
            so it cannot \(action); nothing of it was written
            """)
    }
}
