import Foundation
import SluicePostgres

/// What building a pipeline's stages reads from the database: the blacklist, the billing
/// history, and a resumed run's dedup keys. Behind one protocol, so the pipeline builder holds
/// no SQL and is tested without a database.
public protocol StageRepositories: Sendable {
    /// The whole blacklist, loaded once per run.
    func blacklistIndex() async throws -> BlacklistIndex

    /// The billing history a run screens against (`cooldownDays` back, other runs only).
    func history(runID: UUID, cooldownDays: Int) async throws -> any HistoryLookup

    /// Feeds `dedup` the keys of the rows this run loaded before `offset`; returns how many.
    func reloadDedupKeys(into dedup: DedupStage, table: TableName, runID: UUID, before offset: Int64) async throws -> Int
}
