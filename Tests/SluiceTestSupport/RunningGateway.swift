import Foundation
import Logging
import SluiceSimulators

/// A `GatewaySimulator` serving on a loopback port for the length of one test.
public struct RunningGateway: Sendable {
    public let simulator: GatewaySimulator
    public let port: Int

    public var baseURL: String { "http://127.0.0.1:\(port)" }
    public var login: String { simulator.configuration.login }
    public var password: String { simulator.configuration.password }
    /// The first configured terminal.
    public var terminal: String { simulator.configuration.terminals.first ?? "sim-terminal" }

    /// `/process/{terminal}/`, `/reconcile/{terminal}/`, `/reconcile/by_date/{terminal}/`, `/chargebacks/by_date`.
    public var processURL: String { "\(baseURL)/process/\(terminal)/" }
    public var reconcileURL: String { "\(baseURL)/reconcile/\(terminal)/" }
    public var reconcileByDateURL: String { "\(baseURL)/reconcile/by_date/\(terminal)/" }
    public var chargebacksByDateURL: String { "\(baseURL)/chargebacks/by_date" }

    /// The `Authorization` header value for the simulator's login and password.
    public var authorization: String { "Basic " + Data("\(login):\(password)".utf8).base64EncodedString() }

    public static var quietLogger: Logger {
        var logger = Logger(label: "test.gateway")
        logger.logLevel = .critical
        return logger
    }

    /// Starts a simulator on port 0, runs `body`, then stops the simulator (cancelling held
    /// answers and pending notifications).
    public static func with<T: Sendable>(
        _ configuration: GatewaySimulatorConfiguration = GatewaySimulatorConfiguration(),
        _ body: (RunningGateway) async throws -> T
    ) async throws -> T {
        var configuration = configuration
        configuration.port = 0
        return try await GatewaySimulator.serving(configuration, logger: quietLogger) { simulator, port in
            try await body(RunningGateway(simulator: simulator, port: port))
        }
    }
}
