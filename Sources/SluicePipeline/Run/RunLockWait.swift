import Logging
import SluiceCore
import SluicePostgres

/// Takes a run's lock, waiting a bounded time when another connection holds it.
///
/// A process killed with SIGKILL leaves its PostgreSQL connection behind until the server
/// notices the socket is gone, usually within a second on one machine and longer across a
/// network. Refusing at once would leave the operator guessing, so the run waits up to
/// `wait`, says who holds it and for how long, and then fails with what to do.
struct RunLockWait: Sendable {
    let store: RunStore
    let wait: Duration
    let logger: Logger
    var pollInterval: Duration = .milliseconds(200)

    func acquire(_ run: RunRecord) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + wait
        var announced = false
        while true {
            if try await store.tryLock(run) { return }
            let holder = try await store.lockHolder(of: run) ?? "a connection that is just letting go"
            if clock.now >= deadline {
                throw SluiceError(.runLocked, """
                    run \(run.idText) is still held by another connection (\(holder)) after waiting \(Self.seconds(wait)) s. \
                    If no sluice process runs it any more, PostgreSQL releases it as soon as it notices that connection \
                    is gone; run again then (or give --lock-wait more seconds), or end that connection with \
                    SELECT pg_terminate_backend(<backend>)
                    """)
            }
            if !announced {
                announced = true
                logger.warning("run \(run.idText) is held by another connection (\(holder)); waiting up to \(Self.seconds(wait)) s for it")
            }
            try await Task.sleep(for: pollInterval)
        }
    }

    static func seconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let value = Double(seconds) + Double(attoseconds) / 1e18
        return value == value.rounded() ? String(Int(value)) : String(value)
    }
}
