/// The fields every partial fault update (`POST /_sim/config`) has; `nil` keeps the value.
protocol FaultPatch: Sendable, Decodable {
    associatedtype Fault

    var latencyMs: Int? { get }
    var errorRate: Double? { get }
    var errorStatus: Int? { get }
    var failNext: [Fault]? { get }
    /// Restarts the fault generator with this seed.
    var seed: UInt64? { get }
}
