import SluiceValidation

/// Where the VOP simulator listens, whom it knows, and how it misbehaves.
public struct VOPSimulatorConfiguration: Sendable {
    /// Default 127.0.0.1.
    public var host: String
    /// 0 picks a free port (the simulator reports it through `onListening`).
    public var port: Int
    /// The account holders; derived from the IBAN by default.
    public var holders: AccountHolders
    /// Latency and fault rates.
    public var faults: VOPFaultConfiguration
    /// The seed of the fault generator.
    public var seed: UInt64
    /// When set, EPC calls must carry `Authorization: Bearer <key>` and BAV calls
    /// `X-API-Key: <key>`; others get 401.
    public var apiKey: String?
    /// The matcher's thresholds.
    public var thresholds: NameMatchThresholds
    /// How many recent requests `stats` lists (and call timestamps it keeps).
    public var recordLimit: Int

    public init(
        host: String = "127.0.0.1", port: Int = 0, holders: AccountHolders = AccountHolders(),
        faults: VOPFaultConfiguration = VOPFaultConfiguration(), seed: UInt64 = 1, apiKey: String? = nil,
        thresholds: NameMatchThresholds = .default, recordLimit: Int = 1_000
    ) {
        self.host = host
        self.port = port
        self.holders = holders
        self.faults = faults
        self.seed = seed
        self.apiKey = apiKey
        self.thresholds = thresholds
        self.recordLimit = max(recordLimit, 1)
    }
}
