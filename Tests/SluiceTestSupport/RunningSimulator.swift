import Logging
import SluiceSimulators
import SluiceStages
import SluiceVOP

/// A `VOPSimulator` serving on a loopback port for the length of one test.
public struct RunningSimulator: Sendable {
    public let simulator: VOPSimulator
    public let port: Int

    public var baseURL: String { "http://127.0.0.1:\(port)" }
    public var epcURL: String { baseURL + VOPSimulator.epcPath }
    public var bavURL: String { baseURL + VOPSimulator.bavPath }

    /// A client configuration for this simulator: short delays so retries stay fast.
    public func configuration(
        _ provider: VOPProvider, apiKey: String? = nil, timeout: Duration = .seconds(2),
        maxAttempts: Int = 3, baseDelay: Duration = .milliseconds(20)
    ) -> VOPProviderConfiguration {
        VOPProviderConfiguration(
            provider: provider, url: provider == .epc ? epcURL : bavURL, apiKey: apiKey, timeout: timeout,
            retryPolicy: ProviderRetryPolicy(maxAttempts: maxAttempts, baseDelay: baseDelay, jitter: 0))
    }

    public func verifier(_ provider: VOPProvider, apiKey: String? = nil, timeout: Duration = .seconds(2), maxAttempts: Int = 3) -> any PayeeVerifier {
        configuration(provider, apiKey: apiKey, timeout: timeout, maxAttempts: maxAttempts).makeVerifier(logger: Self.quietLogger)
    }

    public static var quietLogger: Logger {
        var logger = Logger(label: "test.vop")
        logger.logLevel = .critical
        return logger
    }

    /// Starts a simulator on port 0, runs `body`, then stops the simulator (cancelling calls that hang).
    public static func with<T: Sendable>(
        _ configuration: VOPSimulatorConfiguration = VOPSimulatorConfiguration(),
        _ body: (RunningSimulator) async throws -> T
    ) async throws -> T {
        try await VOPSimulator.serving(configuration, logger: quietLogger) { simulator, port in
            try await body(RunningSimulator(simulator: simulator, port: port))
        }
    }
}

/// A simulator a test can serve on a loopback port: it reports the port it bound and runs until
/// cancelled. `RunningSimulator` and `RunningGateway` start theirs through `serving`.
protocol LoopbackSimulator: Sendable {
    associatedtype Configuration

    init(configuration: Configuration, logger: Logger, onListening: @escaping @Sendable (Int) -> Void)
    func run() async throws
}

extension VOPSimulator: LoopbackSimulator {}
extension GatewaySimulator: LoopbackSimulator {}

extension LoopbackSimulator {
    /// Starts a simulator on the port `configuration` names (0 picks a free one), runs `body` with
    /// it and its bound port, then cancels it (ending calls that hang). A simulator that fails to
    /// start throws its error.
    static func serving<T: Sendable>(
        _ configuration: Configuration, logger: Logger, _ body: (Self, Int) async throws -> T
    ) async throws -> T {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let simulator = Self(configuration: configuration, logger: logger) { port in
            continuation.yield(port)
            continuation.finish()
        }
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                // A simulator that fails to start ends the wait for its port.
                defer { continuation.finish() }
                try await simulator.run()
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else {
                try await group.next()
                throw CancellationError()
            }
            defer { group.cancelAll() }
            return try await body(simulator, port)
        }
    }
}
