import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// The Hummingbird application of `sluice serve`, as a `Service` for the process's group.
public enum HTTPServer {
    /// - Parameters:
    ///   - onListening: called with the bound port once the server accepts connections (the
    ///     port asked for, or the one the system picked for port 0).
    public static func service(
        routes: ServerRoutes, host: String, port: Int, logger: Logger, onListening: @escaping @Sendable (Int) -> Void = { _ in }
    ) -> any Service {
        Application(
            router: routes.router(),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "sluice"),
            onServerRunning: { channel in onListening(channel.localAddress?.port ?? port) },
            logger: logger
        )
    }
}
