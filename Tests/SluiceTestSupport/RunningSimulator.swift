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
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let simulator = VOPSimulator(configuration: configuration, logger: quietLogger) { port in
            continuation.yield(port)
            continuation.finish()
        }
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await simulator.run() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw CancellationError() }
            do {
                let result = try await body(RunningSimulator(simulator: simulator, port: port))
                group.cancelAll()
                return result
            } catch {
                group.cancelAll()
                throw error
            }
        }
    }
}
