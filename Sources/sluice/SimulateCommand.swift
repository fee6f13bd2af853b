import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import SluiceCore
import SluiceSimulators

/// `sluice simulate`: stand-ins for the external services, as real HTTP servers for tests and
/// demos. `vop` now; the payment-gateway simulator follows (issue 13).
struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Run a simulator of an external service (docs/operations.md).",
        subcommands: [SimulateVOPCommand.self]
    )
}

/// `sluice simulate vop`: a payee-verification provider speaking the EPC VOP and the BAV API.
struct SimulateVOPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vop",
        abstract: "Run a payee-verification (EPC VOP and BAV) provider simulator.",
        discussion: """
            Answers POST /epc/v1/payee-verifications and POST /bav/v1/verify deterministically \
            from the IBAN and the name: the holder comes from --holders (iban,name[,account_type]) \
            or is derived from the IBAN (GET /_sim/holder?iban= tells it). GET /_sim/stats counts \
            calls, answers and faults; POST /_sim/config changes the faults; POST /_sim/reset \
            zeroes the counters. When SLUICE_VOP_API_KEY is set, calls must carry it. SIGTERM or \
            SIGINT exits 0.
            """
    )

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on; 0 picks a free one.")
    var port = 8090

    @Option(help: "CSV of account holders: iban,name[,account_type]. Default: names derived from the IBAN.")
    var holders: String?

    @Option(help: "Milliseconds added before every answer.")
    var latencyMs = 0

    @Option(help: "Share of calls (0 to 1) answered 503.")
    var errorRate = 0.0

    @Option(help: "Share of calls (0 to 1) that hang for --timeout-ms, then answer 504.")
    var timeoutRate = 0.0

    @Option(help: "How long a timeout fault hangs, in milliseconds.")
    var timeoutMs = 30_000

    @Option(help: "Share of calls (0 to 1) answered 429.")
    var rateLimitRate = 0.0

    @Option(help: "The Retry-After of a 429, in seconds (0: none).")
    var retryAfter = 1

    @Option(help: "Seed of the fault generator: the same seed and calls give the same faults.")
    var seed: UInt64 = 1

    @Flag(name: .shortAndLong, help: "Log debug messages to stderr.")
    var verbose = false

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0 to 65535") }
        for (name, rate) in [("--error-rate", errorRate), ("--timeout-rate", timeoutRate), ("--rate-limit-rate", rateLimitRate)] {
            guard (0...1).contains(rate) else { throw ValidationError("\(name) must be 0 to 1") }
        }
        guard errorRate + timeoutRate + rateLimitRate <= 1 else {
            throw ValidationError("--error-rate, --timeout-rate and --rate-limit-rate add up to more than 1")
        }
        guard latencyMs >= 0, timeoutMs >= 0, retryAfter >= 0 else {
            throw ValidationError("--latency-ms, --timeout-ms and --retry-after must be 0 or more")
        }
    }

    func run() async throws {
        let logger = Environment.logger(verbose: verbose)
        try await reportingErrors {
            let environment = ProcessInfo.processInfo.environment
            let table = try holders.map { try AccountHolders.load(contentsOf: $0) }
            let configuration = VOPSimulatorConfiguration(
                host: host, port: port, holders: table ?? AccountHolders(),
                faults: VOPFaultConfiguration(
                    latencyMs: latencyMs, errorRate: errorRate, timeoutRate: timeoutRate, rateLimitRate: rateLimitRate,
                    retryAfterSeconds: retryAfter, timeoutMs: timeoutMs),
                seed: seed, apiKey: environment["SLUICE_VOP_API_KEY"].flatMap { $0.isEmpty ? nil : $0 })
            let host = host
            let simulator = VOPSimulator(configuration: configuration, logger: logger) { bound in
                // Tests and scripts read the port from this line when they asked for port 0.
                Terminal.printError("sluice simulate vop: listening on http://\(host):\(bound)")
            }
            var group = ServiceGroupConfiguration(services: [.init(service: simulator)], logger: logger)
            group.gracefulShutdownSignals = [.sigterm, .sigint]
            try await ServiceGroup(configuration: group).run()
        }
    }
}
