import Foundation
import SluiceCore
import SluiceStages
import SluiceVOP

/// How to start a run, beyond what the pipeline file says.
public struct RunOptions: Sendable {
    /// Continue this run instead of finding or creating one.
    public var resumeRunID: UUID?
    /// The id a new run gets (the API names an upload's run before a worker starts it); a
    /// run that already exists for the object keeps its own.
    public var newRunID: UUID?
    /// Load the object again even if a completed run already loaded this version.
    public var force: Bool
    /// Overrides the pipeline's batch size (tests use small batches).
    public var batchSize: Int?
    /// Called after every committed batch, from the sink task.
    public var onProgress: (@Sendable (RunProgress) -> Void)?
    /// How long to wait for a run that another connection holds (for example one a killed
    /// process left behind, until PostgreSQL notices) before giving up.
    public var lockWait: Duration = .seconds(30)
    /// How long a run's lease lasts without renewal; it is renewed every third of that.
    /// A run whose process died can be taken over this long after its last renewal.
    public var leaseTTL: Duration = .seconds(10)
    /// Lets a signal handler or an operator ask the run to stop after the batches in flight.
    public var control = RunControl()
    /// Stages run after the pipeline's own, before the sink: for embedding code and tests (a
    /// stage that flags rows or hands effects to the batch transaction).
    public var additionalStages: [any Stage] = []
    /// The payee-verification provider of a pipeline with a `vop:` section; `nil` reads it
    /// from the environment (`VOPProviderConfiguration.fromEnvironment`).
    public var payeeVerifier: (verifier: any PayeeVerifier, provider: VOPProvider)?
    /// A load, a dry run (`--dry-run`) or a pipeline test.
    public var mode: RunMode = .load
    /// A dry run that asks the payee-verification cache only and never calls the provider.
    public var vopCacheOnly = false
    /// A pipeline test's blacklist: when set, the screen stage sees these entries only (keys as
    /// `BlacklistKind.normalize` makes them) and no billing history, instead of the database's.
    public var fixtureBlacklist: [(kind: BlacklistKind, key: String)]?

    public init(resumeRunID: UUID? = nil, force: Bool = false, batchSize: Int? = nil, onProgress: (@Sendable (RunProgress) -> Void)? = nil) {
        self.resumeRunID = resumeRunID
        self.force = force
        self.batchSize = batchSize
        self.onProgress = onProgress
    }
}

/// Where a run stands, for progress bars.
public struct RunProgress: Sendable {
    public var runID: UUID
    /// Counts of this invocation (a resumed run starts from its checkpoint).
    public var counters: RunCounters
    /// Source offset reached, of `objectSize`.
    public var offset: Int64
    public var objectSize: Int64
    /// Offset this invocation started from.
    public var startOffset: Int64
    public var elapsed: Duration
    /// For XLSX, offsets are sheet rows, not bytes of `objectSize`.
    public var format: SourceFormat = .csv
    /// Counts of the batch just committed (`counters` adds them up).
    public var batch = RunCounters()
}
