import SluiceGenesis

/// Where the gateway simulator listens, whom it lets in, what its bank decides and how it
/// notifies; every field has a default.
public struct GatewaySimulatorConfiguration: Sendable {
    /// Default 127.0.0.1.
    public var host: String
    /// 0 picks a free port (the simulator reports it through `onListening`).
    public var port: Int
    /// The API login of HTTP Basic auth.
    public var login: String
    /// The API password of HTTP Basic auth; also signs notifications.
    public var password: String
    /// The terminal tokens the simulator knows; others are answered with error 130.
    public var terminals: [String]
    /// Latency, fault rates and duplicate notifications.
    public var faults: GatewayFaultConfiguration
    /// The seed of the fault generator.
    public var seed: UInt64
    /// IBAN → SEPA reason code: sales from these IBANs are declined with that code.
    public var declineIBANs: [String: String]
    /// IBAN → SEPA reason code (MD06 when empty): approved sales from these IBANs are charged
    /// back `chargebackDelayMs` after approval.
    public var chargebackIBANs: [String: String]
    public var chargebackDelayMs: Int
    /// How long after a sale its notification is sent (and a pending_async sale settles).
    public var notificationDelayMs: Int
    /// Sends of one notification before it counts as failed.
    public var notificationAttempts: Int
    /// The wait before the first re-send; it doubles with each further one.
    public var notificationRetryMs: Int
    /// How long one notification POST may take.
    public var notificationTimeoutMs: Int
    /// The hash of notification signatures.
    public var signatureAlgorithm: GenesisSignature.Algorithm
    /// Notifications in flight at once; the rest wait in a bounded queue.
    public var notificationConcurrency: Int
    /// Notifications due and waiting for a sender before the scheduler holds back further ones.
    public var notificationQueueCapacity: Int

    public init(
        host: String = "127.0.0.1", port: Int = 0, login: String = "sim-login", password: String = "sim-password",
        terminals: [String] = ["sim-terminal"], faults: GatewayFaultConfiguration = GatewayFaultConfiguration(), seed: UInt64 = 1,
        declineIBANs: [String: String] = [:], chargebackIBANs: [String: String] = [:], chargebackDelayMs: Int = 1_000,
        notificationDelayMs: Int = 200, notificationAttempts: Int = 5, notificationRetryMs: Int = 500, notificationTimeoutMs: Int = 5_000,
        signatureAlgorithm: GenesisSignature.Algorithm = .sha1, notificationConcurrency: Int = 64, notificationQueueCapacity: Int = 1_024
    ) {
        self.host = host
        self.port = port
        self.login = login
        self.password = password
        self.terminals = terminals
        self.faults = faults
        self.seed = seed
        self.declineIBANs = declineIBANs
        self.chargebackIBANs = chargebackIBANs
        self.chargebackDelayMs = max(chargebackDelayMs, 0)
        self.notificationDelayMs = max(notificationDelayMs, 0)
        self.notificationAttempts = max(notificationAttempts, 1)
        self.notificationRetryMs = max(notificationRetryMs, 0)
        self.notificationTimeoutMs = max(notificationTimeoutMs, 1)
        self.signatureAlgorithm = signatureAlgorithm
        self.notificationConcurrency = max(notificationConcurrency, 1)
        self.notificationQueueCapacity = max(notificationQueueCapacity, 1)
    }

    /// The signature hash called `name` (`sha1`, `sha256`, `sha512`), or `nil`.
    public static func signatureAlgorithm(named name: String) -> GenesisSignature.Algorithm? {
        switch name.lowercased() {
        case "sha1", "sha-1": .sha1
        case "sha256", "sha-256": .sha256
        case "sha512", "sha-512": .sha512
        default: nil
        }
    }
}
