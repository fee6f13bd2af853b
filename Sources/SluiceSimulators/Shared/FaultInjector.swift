/// A simulator's fault settings with their seeded generator: the scripted `failNext` comes
/// first, then one draw against the rates, so the same seed and calls give the same faults.
struct FaultInjector<Faults: FaultSettings>: Sendable {
    private(set) var faults: Faults
    private var seed: UInt64
    private var generator: SplitMix64

    init(faults: Faults, seed: UInt64) {
        self.faults = faults
        self.seed = seed
        generator = SplitMix64(seed: seed)
    }

    /// The fault of the next call, or `nil` to answer it.
    mutating func nextFault() -> Faults.Fault? {
        if !faults.failNext.isEmpty { return faults.failNext.removeFirst() }
        let rates = faults.drawnRates
        // No draw when every rate is 0, so turning faults off leaves the sequence where it is.
        guard rates.reduce(0, { $0 + $1.rate }) > 0 else { return nil }
        let draw = Double.random(in: 0..<1, using: &generator)
        var bound = 0.0
        for (fault, rate) in rates {
            bound += rate
            if draw < bound { return fault }
        }
        return nil
    }

    /// Whether something of probability `rate` happens; draws only when `rate` is above 0.
    mutating func chance(_ rate: Double) -> Bool {
        guard rate > 0 else { return false }
        return Double.random(in: 0..<1, using: &generator) < rate
    }

    /// Applies a partial update; a new seed restarts the generator.
    mutating func update(_ patch: Faults.Patch) -> Faults {
        faults.apply(patch)
        if let seed = patch.seed {
            self.seed = seed
            generator = SplitMix64(seed: seed)
        }
        return faults
    }

    /// Replaces the settings (clamped); the generator keeps going.
    mutating func replace(with faults: Faults) {
        var faults = faults
        faults.clamp()
        self.faults = faults
    }

    /// Restarts the generator from its seed; the settings stay.
    mutating func restart() {
        generator = SplitMix64(seed: seed)
    }
}
