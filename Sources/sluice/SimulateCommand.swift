import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import SluiceCore
import SluiceSimulators

/// `sluice simulate`: stand-ins for the external services, as real HTTP servers for tests and
/// demos: `vop` (payee verification) and `gateway` (emerchantpay Genesis).
struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Run a simulator of an external service (docs/operations.md).",
        subcommands: [SimulateVOPCommand.self, SimulateGatewayCommand.self]
    )
}

/// `sluice simulate vop`: a payee-verification provider speaking the EPC VOP and the BAV API.
struct SimulateVOPCommand: SimulateSubcommand {
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

    static let simulatorName = "vop"
    static let defaultPort = 8090

    @OptionGroup var server: SimulatorServerOptions<Self>

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

    func simulator(logger: Logger, onListening: @escaping @Sendable (Int) -> Void) throws -> any Service {
        let environment = ProcessInfo.processInfo.environment
        let table = try holders.map { try AccountHolders.load(contentsOf: $0) }
        let configuration = VOPSimulatorConfiguration(
            host: server.host, port: server.port, holders: table ?? AccountHolders(),
            faults: VOPFaultConfiguration(
                latencyMs: latencyMs, errorRate: errorRate, timeoutRate: timeoutRate, rateLimitRate: rateLimitRate,
                retryAfterSeconds: retryAfter, timeoutMs: timeoutMs),
            seed: seed, apiKey: environment["SLUICE_VOP_API_KEY"].flatMap { $0.isEmpty ? nil : $0 })
        return VOPSimulator(configuration: configuration, logger: logger, onListening: onListening)
    }
}

/// `sluice simulate gateway`: an emerchantpay Genesis payment gateway speaking its XML API.
struct SimulateGatewayCommand: SimulateSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "gateway",
        abstract: "Run an emerchantpay Genesis payment-gateway simulator.",
        discussion: """
            Answers POST /process/{terminal}/ (sdd_sale, void), /reconcile/{terminal}/, \
            /reconcile/by_date/{terminal}/ and /chargebacks/by_date with Genesis XML, behind HTTP \
            Basic auth. Each transaction_id is charged once; a repeat is a doublet (450). Amounts \
            ending in 51/52/53 are declined AM04/AC04/MD01, 54 is an input error (340), 60/61 \
            are pending_async then approved/declined AM04. Notifications go to each sale's \
            notification_url, signed with the password, until echoed. GET /_sim/ledger and \
            /_sim/stats show what happened; POST /_sim/config changes the faults; POST \
            /_sim/reset empties the ledger. SIGTERM or SIGINT exits 0.
            """
    )

    static let simulatorName = "gateway"
    static let defaultPort = 8091

    @OptionGroup var server: SimulatorServerOptions<Self>

    @Option(help: "API login (HTTP Basic user).")
    var login = "sim-login"

    @Option(help: "API password (HTTP Basic password; signs notifications).")
    var password = "sim-password"

    @Option(name: .customLong("terminal"), help: "A terminal token the gateway knows; repeat for more. Default: sim-terminal.")
    var terminals: [String] = []

    @Option(help: "Milliseconds added before every answer.")
    var latencyMs = 0

    @Option(help: "Share of /process calls (0 to 1) answered 500 without being acted on.")
    var errorRate = 0.0

    @Option(help: "Share of /process calls (0 to 1) acted on, then held for --hang-ms.")
    var timeoutAfterAcceptRate = 0.0

    @Option(help: "How long a timeout-after-accept holds its answer, in milliseconds.")
    var hangMs = 30_000

    @Option(help: "Share of notifications (0 to 1) sent twice.")
    var duplicateNotificationRate = 0.0

    @Option(help: "Milliseconds from a sale to its notification (and to a pending sale's settlement).")
    var notificationDelayMs = 200

    @Option(help: "Hash of notification signatures: sha1, sha256 or sha512.")
    var signature = "sha1"

    @Option(name: .customLong("chargeback-iban"), help: "IBAN[:CODE] whose approved sales are charged back (code default MD06); repeat for more.")
    var chargebackIBANs: [String] = []

    @Option(help: "Milliseconds from approval to chargeback.")
    var chargebackDelayMs = 1_000

    @Option(name: .customLong("decline-iban"), help: "IBAN[:CODE] whose sales are declined (code default AM04); repeat for more.")
    var declineIBANs: [String] = []

    @Option(help: "Seed of the fault generator: the same seed and calls give the same faults.")
    var seed: UInt64 = 1

    @Flag(name: .shortAndLong, help: "Log debug messages to stderr.")
    var verbose = false

    func validate() throws {
        for (name, rate) in [
            ("--error-rate", errorRate), ("--timeout-after-accept-rate", timeoutAfterAcceptRate),
            ("--duplicate-notification-rate", duplicateNotificationRate),
        ] {
            guard (0...1).contains(rate) else { throw ValidationError("\(name) must be 0 to 1") }
        }
        guard errorRate + timeoutAfterAcceptRate <= 1 else {
            throw ValidationError("--error-rate and --timeout-after-accept-rate add up to more than 1")
        }
        guard latencyMs >= 0, hangMs >= 0, notificationDelayMs >= 0, chargebackDelayMs >= 0 else {
            throw ValidationError("--latency-ms, --hang-ms, --notification-delay-ms and --chargeback-delay-ms must be 0 or more")
        }
        guard GatewaySimulatorConfiguration.signatureAlgorithm(named: signature) != nil else {
            throw ValidationError("--signature must be sha1, sha256 or sha512")
        }
        guard !login.isEmpty, !password.isEmpty, !terminals.contains("") else {
            throw ValidationError("--login, --password and --terminal must not be empty")
        }
    }

    func simulator(logger: Logger, onListening: @escaping @Sendable (Int) -> Void) -> any Service {
        let configuration = GatewaySimulatorConfiguration(
            host: server.host, port: server.port, login: login, password: password, terminals: terminals.isEmpty ? ["sim-terminal"] : terminals,
            faults: GatewayFaultConfiguration(
                latencyMs: latencyMs, errorRate: errorRate, timeoutAfterAcceptRate: timeoutAfterAcceptRate, hangMs: hangMs,
                duplicateNotificationRate: duplicateNotificationRate),
            seed: seed, declineIBANs: Self.table(declineIBANs), chargebackIBANs: Self.table(chargebackIBANs),
            chargebackDelayMs: chargebackDelayMs, notificationDelayMs: notificationDelayMs,
            signatureAlgorithm: GatewaySimulatorConfiguration.signatureAlgorithm(named: signature) ?? .sha1)
        return GatewaySimulator(configuration: configuration, logger: logger, onListening: onListening)
    }

    /// `IBAN[:CODE]` options as IBAN → code; an empty code takes the simulator's default.
    static func table(_ items: [String]) -> [String: String] {
        items.reduce(into: [:]) { table, item in
            let parts = item.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            table[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
        }
    }
}

/// A `sluice simulate` subcommand: it names its simulator, gives the `--port` default and builds
/// the simulator from its options; `SimulatorServerOptions` and `run()` do the rest.
protocol SimulateSubcommand: AsyncParsableCommand {
    /// The NAME of `sluice simulate NAME: listening on …`.
    static var simulatorName: String { get }
    /// The `--port` default.
    static var defaultPort: Int { get }

    var server: SimulatorServerOptions<Self> { get }
    var verbose: Bool { get }

    /// The simulator to serve, listening where `server` says and calling `onListening` with the bound port.
    func simulator(logger: Logger, onListening: @escaping @Sendable (Int) -> Void) throws -> any Service
}

extension SimulateSubcommand {
    /// Serves the simulator until SIGTERM or SIGINT, then exits 0.
    func run() async throws {
        let logger = Environment.logger(verbose: verbose)
        try await reportingErrors {
            let name = Self.simulatorName
            let host = server.host
            let simulator = try simulator(logger: logger) { bound in
                // Tests and scripts read the port from this line when they asked for port 0.
                Terminal.printError("sluice simulate \(name): listening on http://\(host):\(bound)")
            }
            var group = ServiceGroupConfiguration(services: [.init(service: simulator)], logger: logger)
            group.gracefulShutdownSignals = [.sigterm, .sigint]
            try await ServiceGroup(configuration: group).run()
        }
    }
}

/// `--host` and `--port`, shared by the `sluice simulate` subcommands; the port default is the
/// subcommand's.
struct SimulatorServerOptions<Command: SimulateSubcommand>: ParsableArguments {
    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on; 0 picks a free one.")
    var port = Command.defaultPort

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0 to 65535") }
    }
}
