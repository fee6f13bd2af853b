/// How the gateway simulator misbehaves: latency, fault rates and duplicate notifications, drawn
/// from a seeded generator.
///
/// For each `/process` call (sale or void) the simulator takes the next fault of `failNext` if
/// there is one, else draws one number `u` in 0 ..< 1: `u < errorRate` is an error, the next
/// `timeoutAfterAcceptRate` a timeout after accept; the rest are answered. Latency applies to
/// every route. Whether a notification is sent twice is drawn from the same generator when the
/// notification is made. JSON (for `POST /_sim/config`) uses these property names; fields left
/// out keep their value.
public struct GatewayFaultConfiguration: Sendable, Hashable, Codable {
    /// Added before every answer, on every route.
    public var latencyMs: Int
    /// Share of `/process` calls answered with `errorStatus` without being acted on, 0 … 1.
    public var errorRate: Double
    /// The status of an error fault, 500 … 599.
    public var errorStatus: Int
    /// Share of `/process` calls that are acted on and then held for `hangMs`, 0 … 1.
    public var timeoutAfterAcceptRate: Double
    /// How long a timeout-after-accept holds its answer.
    public var hangMs: Int
    /// Share of notifications sent twice, 0 … 1.
    public var duplicateNotificationRate: Double
    /// Faults for the next `/process` calls, in order, before the rates apply: a test's script.
    public var failNext: [GatewayFault]

    public init(
        latencyMs: Int = 0, errorRate: Double = 0, errorStatus: Int = 500, timeoutAfterAcceptRate: Double = 0,
        hangMs: Int = 30_000, duplicateNotificationRate: Double = 0, failNext: [GatewayFault] = []
    ) {
        self.latencyMs = latencyMs
        self.errorRate = errorRate
        self.errorStatus = errorStatus
        self.timeoutAfterAcceptRate = timeoutAfterAcceptRate
        self.hangMs = hangMs
        self.duplicateNotificationRate = duplicateNotificationRate
        self.failNext = failNext
        clamp()
    }

    /// A partial update, as `POST /_sim/config` takes it.
    public struct Patch: Sendable, Hashable, Codable, FaultPatch {
        public var latencyMs: Int?
        public var errorRate: Double?
        public var errorStatus: Int?
        public var timeoutAfterAcceptRate: Double?
        public var hangMs: Int?
        public var duplicateNotificationRate: Double?
        public var failNext: [GatewayFault]?
        /// Restarts the fault generator with this seed.
        public var seed: UInt64?

        public init(
            latencyMs: Int? = nil, errorRate: Double? = nil, errorStatus: Int? = nil, timeoutAfterAcceptRate: Double? = nil,
            hangMs: Int? = nil, duplicateNotificationRate: Double? = nil, failNext: [GatewayFault]? = nil, seed: UInt64? = nil
        ) {
            self.latencyMs = latencyMs
            self.errorRate = errorRate
            self.errorStatus = errorStatus
            self.timeoutAfterAcceptRate = timeoutAfterAcceptRate
            self.hangMs = hangMs
            self.duplicateNotificationRate = duplicateNotificationRate
            self.failNext = failNext
            self.seed = seed
        }
    }
}

extension GatewayFaultConfiguration: FaultSettings {
    static var defaultErrorStatus: Int { 500 }

    var drawnRates: [(fault: GatewayFault, rate: Double)] {
        [(.error, errorRate), (.timeoutAfterAccept, timeoutAfterAcceptRate)]
    }

    mutating func clampOwnSettings() {
        timeoutAfterAcceptRate = Self.clampedRate(timeoutAfterAcceptRate)
        duplicateNotificationRate = Self.clampedRate(duplicateNotificationRate)
        hangMs = max(hangMs, 0)
    }

    mutating func applyOwnSettings(_ patch: Patch) {
        if let value = patch.timeoutAfterAcceptRate { timeoutAfterAcceptRate = value }
        if let value = patch.hangMs { hangMs = value }
        if let value = patch.duplicateNotificationRate { duplicateNotificationRate = value }
    }
}
