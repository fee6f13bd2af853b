import SluiceCore
import SluiceStages
import SluiceValidation
import SluiceVOP

/// The `vop:` section of a pipeline: payee verification before the rows are loaded.
///
/// The provider, its URL and its key are not here: they come from the environment
/// (`SLUICE_VOP_PROVIDER`, `SLUICE_VOP_URL`, `SLUICE_VOP_API_KEY`), so a pipeline file holds
/// no secret and the same file runs against the simulator and the real provider.
public struct VOPSpec: Sendable, Hashable {
    /// How the stage calls and what it does with the answers.
    public var stage: VOPStageConfiguration
    /// Paid calls allowed per UTC day, across runs and nodes; `nil` for no limit.
    public var dailyBudget: Int?

    public init(stage: VOPStageConfiguration = VOPStageConfiguration(), dailyBudget: Int? = nil) {
        self.stage = stage
        self.dailyBudget = dailyBudget
    }

    /// The error of a pipeline with `vop:` that has no provider to call.
    static func noProvider(pipeline: String) -> SluiceError {
        SluiceError(
            .invalidArgument,
            "pipeline \(pipeline) verifies payees (vop:), but no provider is configured: set SLUICE_VOP_URL (and SLUICE_VOP_PROVIDER, SLUICE_VOP_API_KEY)",
            pipeline: pipeline, stage: .vop)
    }
}
