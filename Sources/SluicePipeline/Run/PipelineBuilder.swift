import Foundation
import Logging
import SluiceCore
import SluicePostgres
import SluiceStages
import SluiceValidation
import SluiceVOP

/// Turns a pipeline spec into the stages of one run: map → validate → cast (typed columns) →
/// screen → dedup → vop, then any additional stages. What the stages need from the database
/// comes through `StageRepositories`, so the builder holds no SQL and is tested with
/// repositories in memory.
struct PipelineBuilder: Sendable {
    let spec: PipelineSpec
    let repositories: any StageRepositories
    /// The provider client, cache and budget, for a pipeline with a `vop:` section.
    var vop: VOPServices? = nil
    let logger: Logger

    /// - Parameters:
    ///   - resumeOffset: where a resumed run continues; its dedup keys below it are reloaded.
    ///   - committedBatches: batches a resumed run committed past `resumeOffset`.
    ///   - additional: stages run after the pipeline's own.
    func stages(
        mapping: ColumnMapping, runID: UUID, resumeOffset: Int64?, committedBatches: Set<Int> = [], additional: [any Stage] = []
    ) async throws -> [any Stage] {
        let columnNames = spec.columns.map(\.name)
        var stages: [any Stage] = [
            ColumnMapper(mapping: mapping),
            ValidationStage(columns: columnNames, rules: spec.validation),
        ]
        let cast = TypeCastStage(columns: spec.columns, rules: spec.validation)
        if cast.hasTypedColumns { stages.append(cast) }
        if spec.screening.enabled {
            let index = try await repositories.blacklistIndex()
            logger.info("blacklist loaded", metadata: ["entries": "\(index.count)"])
            var history: (any HistoryLookup)?
            if !spec.screening.checks.isDisjoint(with: [.chargeback, .cooldown]) {
                let loaded = try await repositories.history(runID: runID, cooldownDays: spec.screening.cooldownDays)
                logger.info("billing history loaded", metadata: ["ibans": "\(loaded.candidates)"])
                history = loaded
            }
            stages.append(ScreeningStage(columns: columnNames, rules: spec.screening, index: index, history: history))
        }
        if !spec.dedupKey.isEmpty {
            let dedup = try DedupStage(keyColumns: spec.dedupKey, columns: columnNames)
            if let resumeOffset {
                let loaded = try await repositories.reloadDedupKeys(into: dedup, table: spec.target, runID: runID, before: resumeOffset)
                logger.info("dedup keys reloaded", metadata: ["rows": "\(loaded)"])
            }
            stages.append(dedup)
        }
        if let vopSpec = spec.vop {
            guard let vop else { throw VOPSpec.noProvider(pipeline: spec.name) }
            stages.append(VOPStage(
                columns: columnNames, verifier: vop.verifier, provider: vop.provider, configuration: vopSpec.stage,
                answers: vop.answers, budget: vop.budget, runID: runID, committedBatches: committedBatches))
            logger.info("payee verification on", metadata: ["provider": "\(vop.provider.rawValue)"])
        }
        return stages + additional
    }
}
