/// What the `/_sim/*` control routes need of a simulator: its counters, its fault settings and
/// a way to change them, and a reset.
protocol SimulatorControl: Sendable {
    associatedtype Stats: Encodable
    associatedtype Faults: FaultSettings & Encodable

    func stats() -> Stats
    var faults: Faults { get }
    func update(_ patch: Faults.Patch) -> Faults
    func reset()
}
