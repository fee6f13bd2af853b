/// The fault settings the simulators share: a latency before every answer, faults drawn by rate
/// (an error fault with a 5xx status among them), and a script of faults that comes before the
/// rates. Each simulator's configuration adds its own settings through the two hooks.
protocol FaultSettings: Sendable {
    associatedtype Fault: Sendable
    associatedtype Patch: FaultPatch where Patch.Fault == Fault

    /// The status an error fault falls back to when `errorStatus` is not 5xx.
    static var defaultErrorStatus: Int { get }

    var latencyMs: Int { get set }
    var errorRate: Double { get set }
    var errorStatus: Int { get set }
    var failNext: [Fault] { get set }

    /// The faults the rates draw, each with its share of calls, in the order a draw tries them.
    var drawnRates: [(fault: Fault, rate: Double)] { get }

    /// Clamps the settings this simulator adds to the shared ones.
    mutating func clampOwnSettings()
    /// Takes the settings this simulator adds to the shared ones from `patch`.
    mutating func applyOwnSettings(_ patch: Patch)
}

extension FaultSettings {
    /// Rates to 0 … 1, durations to 0 or more, the error status to 5xx.
    mutating func clamp() {
        latencyMs = max(latencyMs, 0)
        errorRate = Self.clampedRate(errorRate)
        if !(500...599).contains(errorStatus) { errorStatus = Self.defaultErrorStatus }
        clampOwnSettings()
    }

    /// Takes the fields `patch` sets, keeps the others, then clamps.
    mutating func apply(_ patch: Patch) {
        if let value = patch.latencyMs { latencyMs = value }
        if let value = patch.errorRate { errorRate = value }
        if let value = patch.errorStatus { errorStatus = value }
        if let value = patch.failNext { failNext = value }
        applyOwnSettings(patch)
        clamp()
    }

    /// `value` within 0 … 1; NaN is 0.
    static func clampedRate(_ value: Double) -> Double { value.isNaN ? 0 : min(max(value, 0), 1) }
}
