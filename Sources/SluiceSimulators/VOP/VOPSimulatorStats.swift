/// What the VOP simulator has seen since it started or was reset: `GET /_sim/stats`.
public struct VOPSimulatorStats: Sendable, Hashable, Codable {
    /// One call as the simulator received it.
    public struct RecordedRequest: Sendable, Hashable, Codable {
        /// 1, 2, 3, … in arrival order.
        public var sequence: Int
        /// `epc` or `bav`.
        public var api: String
        /// Seconds since the simulator started or was reset.
        public var at: Double
        /// The `X-Request-ID` header (EPC).
        public var requestID: String?
        /// The `X-Request-Timestamp` header (EPC).
        public var requestTimestamp: String?
        /// The `Authorization` header as sent (the simulator holds test keys only).
        public var authorization: String?
        /// The `X-API-Key` header as sent.
        public var apiKey: String?
        /// The IBAN of the body, masked (`DE89**************3000`).
        public var iban: String?
        /// The fault injected, if any.
        public var fault: VOPFault?
        /// The status answered; 0 while the call is in flight.
        public var status: Int
        /// The match answer (`MTCH`, `partial`, …), when there was one.
        public var answer: String?
    }

    /// Calls per API: `epc`, `bav`, and `total`.
    public var calls: [String: Int]
    /// Answers per API: `{"epc": {"MTCH": 3, "NOAP": 1}, "bav": {"yes": 2}}`.
    public var outcomes: [String: [String: Int]]
    /// Injected faults and refused calls: `error`, `timeout`, `rateLimit`, `unauthorized`, `badRequest`.
    public var faults: [String: Int]
    /// Calls being answered now.
    public var inFlight: Int
    /// The most calls in flight at once.
    public var maxConcurrent: Int
    /// Calls that arrived in the last second.
    public var callsLastSecond: Int
    /// Arrival times of the most recent calls, in seconds since start or reset (for rate checks).
    public var callTimestamps: [Double]
    /// The most recent calls, oldest first.
    public var requests: [RecordedRequest]

    /// Calls to `api` (`epc`, `bav`), or all calls for `total`.
    public func calls(_ api: String) -> Int { calls[api] ?? 0 }
    /// Times `answer` was given by `api`.
    public func outcomes(_ api: String, _ answer: String) -> Int { outcomes[api]?[answer] ?? 0 }
    /// Times `fault` was injected.
    public func faults(_ fault: String) -> Int { faults[fault] ?? 0 }
}
