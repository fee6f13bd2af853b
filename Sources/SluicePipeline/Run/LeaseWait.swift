import Logging
import SluiceCore
import SluicePostgres

/// Takes a run's lease, waiting a bounded time while another process holds it.
///
/// A process that dies leaves its lease until it expires (the TTL, a few seconds); a process
/// of this host that is gone is taken over at once. Otherwise the run waits up to `wait`,
/// saying who holds the lease and when it expires, and then fails with what to do.
struct LeaseWait: Sendable {
    let store: RunStore
    let wait: Duration
    let ttl: Duration
    let logger: Logger
    var pollInterval: Duration = .milliseconds(200)

    func acquire(_ run: RunRecord) async throws -> RunLease {
        let clock = ContinuousClock()
        let deadline = clock.now + wait
        var announced = false
        while true {
            let holder = try await store.leaseHolder(of: run)
            let gone = [holder?.owner].compactMap { $0 }.filter { NodeName.isGoneLocalProcess($0) }
            if let lease = try await store.acquireLease(run, owner: NodeName.current, ttl: ttl, takingOverFrom: gone) {
                if let holder, !gone.isEmpty || holder.secondsLeft < 0 {
                    logger.notice("took the run over from \(holder.owner), which is gone")
                }
                return lease
            }
            guard let current = try await store.leaseHolder(of: run) else {
                // Nobody holds it and it could not be taken: it finished meanwhile.
                if let now = try await store.run(id: run.id), now.status.isFinal {
                    throw SluiceError(.alreadyLoaded, "run \(run.idText) ended \(now.status.rawValue) while this process waited for it")
                }
                continue
            }
            let expires = Self.seconds(max(0, current.secondsLeft))
            if clock.now >= deadline {
                throw SluiceError(.runLocked, """
                    run \(run.idText) is still held by \(current.owner) (its lease expires in \(expires) s unless that process \
                    renews it, which it does while it runs) after waiting \(Self.seconds(wait)) s. If that process is gone, \
                    run again once its lease has expired, or give --lock-wait more seconds
                    """)
            }
            if !announced {
                announced = true
                logger.warning("""
                    run \(run.idText) is held by \(current.owner), whose lease expires in \(expires) s unless renewed; \
                    waiting up to \(Self.seconds(wait)) s for it
                    """)
            }
            try await Task.sleep(for: pollInterval)
        }
    }

    static func seconds(_ duration: Duration) -> String {
        let (whole, attoseconds) = duration.components
        return seconds(Double(whole) + Double(attoseconds) / 1e18)
    }

    static func seconds(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }
}
