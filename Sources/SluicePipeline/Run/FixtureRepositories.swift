import Foundation
import SluicePostgres
import SluiceStages

/// The stage repositories of a pipeline test (`sluice test`): the screen stage sees the
/// fixture's blacklist entries only, held in memory, and no billing history, so a fixture
/// gives the same result on any database, whatever its blacklist and charges. Dedup keys
/// still come from the run's own (scratch) table.
struct FixtureRepositories: StageRepositories {
    let base: any StageRepositories
    let blacklist: [(kind: BlacklistKind, key: String)]

    func blacklistIndex() async throws -> BlacklistIndex {
        var index = BlacklistIndex()
        for entry in blacklist { index.add(kind: entry.kind, key: entry.key) }
        return index
    }

    func history(runID: UUID, cooldownDays: Int) async throws -> any HistoryLookup {
        NoHistory()
    }

    func reloadDedupKeys(into dedup: DedupStage, table: TableName, runID: UUID, before offset: Int64) async throws -> Int {
        try await base.reloadDedupKeys(into: dedup, table: table, runID: runID, before: offset)
    }

    /// A database without a single charge.
    struct NoHistory: HistoryLookup {
        var candidates: Int { 0 }
        func historyFlags(for digests: [IBANDigest]) async throws -> [IBANDigest: HistoryFlags] { [:] }
    }
}
