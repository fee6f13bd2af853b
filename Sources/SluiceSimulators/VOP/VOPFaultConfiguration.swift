/// How the VOP simulator misbehaves: latency and fault rates, drawn from a seeded generator.
///
/// For each call the simulator takes the next fault of `failNext` if there is one, else draws
/// one number `u` in 0 ..< 1: `u < errorRate` is an error, then the next `timeoutRate` is a
/// timeout, then the next `rateLimitRate` a 429; the rest are answered. JSON (for
/// `POST /_sim/config`) uses these property names; fields left out keep their value.
public struct VOPFaultConfiguration: Sendable, Hashable, Codable {
    /// Added before every answer, faults included.
    public var latencyMs: Int
    /// Share of calls answered with `errorStatus`, 0 … 1.
    public var errorRate: Double
    /// Share of calls that hang for `timeoutMs`, 0 … 1.
    public var timeoutRate: Double
    /// Share of calls answered 429, 0 … 1.
    public var rateLimitRate: Double
    /// The `Retry-After` of a 429, in whole seconds; 0 sends none.
    public var retryAfterSeconds: Int
    /// How long a timeout fault hangs before it answers 504.
    public var timeoutMs: Int
    /// The status of an error fault, 500 … 599.
    public var errorStatus: Int
    /// Faults for the next calls, in order, before the rates apply: a test's script.
    public var failNext: [VOPFault]

    public init(
        latencyMs: Int = 0, errorRate: Double = 0, timeoutRate: Double = 0, rateLimitRate: Double = 0,
        retryAfterSeconds: Int = 1, timeoutMs: Int = 30_000, errorStatus: Int = 503, failNext: [VOPFault] = []
    ) {
        self.latencyMs = latencyMs
        self.errorRate = errorRate
        self.timeoutRate = timeoutRate
        self.rateLimitRate = rateLimitRate
        self.retryAfterSeconds = retryAfterSeconds
        self.timeoutMs = timeoutMs
        self.errorStatus = errorStatus
        self.failNext = failNext
        clamp()
    }

    /// A partial update, as `POST /_sim/config` takes it.
    public struct Patch: Sendable, Hashable, Codable, FaultPatch {
        public var latencyMs: Int?
        public var errorRate: Double?
        public var timeoutRate: Double?
        public var rateLimitRate: Double?
        public var retryAfterSeconds: Int?
        public var timeoutMs: Int?
        public var errorStatus: Int?
        public var failNext: [VOPFault]?
        /// Restarts the fault generator with this seed.
        public var seed: UInt64?

        public init() {}
    }
}

extension VOPFaultConfiguration: FaultSettings {
    static var defaultErrorStatus: Int { 503 }

    var drawnRates: [(fault: VOPFault, rate: Double)] {
        [(.error, errorRate), (.timeout, timeoutRate), (.rateLimit, rateLimitRate)]
    }

    mutating func clampOwnSettings() {
        timeoutRate = Self.clampedRate(timeoutRate)
        rateLimitRate = Self.clampedRate(rateLimitRate)
        retryAfterSeconds = max(retryAfterSeconds, 0)
        timeoutMs = max(timeoutMs, 0)
    }

    mutating func applyOwnSettings(_ patch: Patch) {
        if let value = patch.timeoutRate { timeoutRate = value }
        if let value = patch.rateLimitRate { rateLimitRate = value }
        if let value = patch.retryAfterSeconds { retryAfterSeconds = value }
        if let value = patch.timeoutMs { timeoutMs = value }
    }
}
