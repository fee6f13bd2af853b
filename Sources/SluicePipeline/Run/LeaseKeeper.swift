import SluiceCore
import SluicePostgres

/// Renews a run's lease every third of its TTL while the run works, on a connection of its
/// own (the sink's connections are inside batch transactions). A renewal that finds the lease
/// gone throws, which ends the run: another process holds it now. A renewal that finds a
/// cancel request asks the run to stop, so a cancel reaches whichever node runs it.
struct LeaseKeeper: Sendable {
    let store: RunStore
    let lease: RunLease
    /// Told when an operator asks for the run to be cancelled (seen at a renewal).
    let control: RunControl

    /// Runs `body` while the lease is kept; the keeper stops when `body` returns or throws.
    func whileKept<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                while true {
                    try await Task.sleep(for: lease.ttl / 3)
                    switch try await store.renew(lease) {
                    case .renewed: break
                    case .cancelRequested: control.requestStop(.cancel)
                    case .lost: throw RunLease.lost(lease.runID, doing: "keep working on the run")
                    }
                }
            }
            group.addTask { try await body() }
            // The first to end decides: the body's result, or the keeper's error.
            let first = try await group.next()!
            group.cancelAll()
            return first!
        }
    }
}
