import Hummingbird
import Logging
import ServiceLifecycle

/// The HTTP server under a simulator: listens on `host` and `port`, tells `onListening` the port
/// it bound (the one picked for port 0), and ends quietly when its task is cancelled.
struct SimulatorServer: Sendable {
    private let application: Application<RouterResponder<BasicRequestContext>>

    init(
        router: Router<BasicRequestContext>, host: String, port: Int, serverName: String, logger: Logger,
        onListening: @escaping @Sendable (Int) -> Void
    ) {
        application = Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: serverName),
            onServerRunning: { channel in onListening(channel.localAddress?.port ?? port) },
            logger: logger
        )
    }

    /// Serves until the task is cancelled or a graceful shutdown is asked for.
    func run() async throws {
        do {
            try await application.run()
        } catch is CancellationError {
            // Tests stop a simulator by cancelling it: that is a normal end, not a failure.
            return
        }
    }

    /// Sleeps, unless the process is shutting down gracefully, so a simulator set to hang still
    /// stops promptly.
    static func pause(_ duration: Duration) async throws {
        try await cancelWhenGracefulShutdown { try await Task.sleep(for: duration) }
    }
}
