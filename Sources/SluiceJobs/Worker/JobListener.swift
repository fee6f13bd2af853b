import Logging
import PostgresNIO
import SluicePostgres

/// Holds a `LISTEN` on the queue's channel over a connection of its own and wakes a worker for
/// each notification about a kind it handles. When the connection drops (the sequence throws
/// or ends) it connects again after a growing pause; meanwhile the workers poll.
struct JobListener: Sendable {
    let source: any ConnectionSource
    let channel: String
    let kinds: Set<String>
    let logger: Logger

    /// Listens until the task is cancelled; `listening` is told when the `LISTEN` is in place and
    /// when it is lost.
    func run(waking wake: WakeSignal, listening: @escaping @Sendable (Bool) -> Void) async {
        var pause = Duration.milliseconds(250)
        while !Task.isCancelled {
            do {
                try await source.withConnection(logger: logger) { connection in
                    try await connection.listen(on: channel) { notifications in
                        listening(true)
                        pause = .milliseconds(250)
                        // Jobs may have been enqueued while nobody listened: one worker looks.
                        wake.wakeOne()
                        for try await notification in notifications where kinds.contains(notification.payload) {
                            wake.wakeOne()
                        }
                    }
                }
            } catch {
                if !Task.isCancelled {
                    logger.warning("lost the job queue's LISTEN connection; polling until it is back", metadata: [
                        "channel": "\(channel)", "error": "\(String(reflecting: error))",
                    ])
                }
            }
            listening(false)
            guard !Task.isCancelled else { break }
            try? await Task.sleep(for: pause)
            pause = min(pause * 2, .seconds(10))
        }
    }
}
