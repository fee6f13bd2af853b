/// When a `CircuitBreaker` opens, how long it stays open, and how it tests the provider again.
///
/// The defaults suit a VOP provider that should answer within 5 s (EPC's limit): the breaker
/// opens when at least half of the last 20 calls failed, and at least 10 calls were made; it
/// stays open 10 s, then lets 3 probe calls through. Each time the probes fail the cool-down
/// doubles, up to 5 minutes.
public struct CircuitBreakerConfiguration: Sendable, Hashable {
    /// How many of the most recent calls the failure ratio is computed over.
    public var windowSize: Int
    /// The breaker never opens on fewer calls than this in the window, so two failures out of
    /// the first three calls of a run do not stop it.
    public var minimumCalls: Int
    /// The failure ratio (0 … 1) at or above which the breaker opens.
    public var failureThreshold: Double
    /// How long the breaker stays open the first time.
    public var coolDown: Duration
    /// What the cool-down is multiplied by each time the probes fail.
    public var coolDownMultiplier: Double
    /// The longest cool-down.
    public var maxCoolDown: Duration
    /// How many probe calls a half-open breaker lets through; all must succeed to close it.
    public var probeCalls: Int
    /// A probe without a result after this long is taken as lost (its task was cancelled), and
    /// its slot is given to a new probe, so a lost probe cannot hold the breaker half-open forever.
    public var probeTimeout: Duration

    public init(
        windowSize: Int = 20,
        minimumCalls: Int = 10,
        failureThreshold: Double = 0.5,
        coolDown: Duration = .seconds(10),
        coolDownMultiplier: Double = 2,
        maxCoolDown: Duration = .seconds(300),
        probeCalls: Int = 3,
        probeTimeout: Duration = .seconds(5)
    ) {
        self.windowSize = max(windowSize, 1)
        self.minimumCalls = min(max(minimumCalls, 1), self.windowSize)
        self.failureThreshold = failureThreshold.isNaN ? 0.5 : min(max(failureThreshold, .ulpOfOne), 1)
        self.coolDown = max(coolDown, .zero)
        self.coolDownMultiplier = coolDownMultiplier.isNaN ? 1 : max(coolDownMultiplier, 1)
        self.maxCoolDown = max(maxCoolDown, self.coolDown)
        self.probeCalls = max(probeCalls, 1)
        self.probeTimeout = max(probeTimeout, .zero)
    }
}
