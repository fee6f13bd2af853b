import Foundation
import Logging
import SluiceCore
import SluicePostgres
import SluiceStages
import Synchronization
import Testing

@testable import SluicePipeline

/// The pipeline builder with repositories in memory: which stages a spec gives, and what it
/// reads from the database for them.
struct PipelineBuilderTests {
    /// Records what the builder asked for.
    final class MemoryRepositories: StageRepositories {
        let calls = Mutex<[String]>([])

        struct NoHistory: HistoryLookup {
            var candidates: Int { 0 }
            func historyFlags(for digests: [IBANDigest]) async throws -> [IBANDigest: HistoryFlags] { [:] }
        }

        func blacklistIndex() async throws -> BlacklistIndex {
            calls.withLock { $0.append("blacklist") }
            return BlacklistIndex()
        }

        func history(runID: UUID, cooldownDays: Int) async throws -> any HistoryLookup {
            calls.withLock { $0.append("history \(cooldownDays)") }
            return NoHistory()
        }

        func reloadDedupKeys(into dedup: DedupStage, table: TableName, runID: UUID, before offset: Int64) async throws -> Int {
            calls.withLock { $0.append("dedup \(table) before \(offset)") }
            return 0
        }

        var recorded: [String] { calls.withLock { $0 } }
    }

    struct Extra: Stage {
        let name: StageName = "extra"
        func process(_ batch: inout RecordBatch) async throws {}
    }

    func stages(_ extra: String, resumeOffset: Int64? = nil, amountType: String = "text") async throws -> (names: [String], calls: [String]) {
        let yaml = """
            name: built
            target: {table: sluice_it.built}
            columns:
              - {name: external_id, required: true}
              - {name: iban, required: true}
              - {name: amount, required: true, type: '\(amountType)'}
            \(extra)
            """
        let spec = try PipelineSpec.parse(yaml: yaml, path: "built.yaml")
        let mapping = try ColumnMapping(header: ["external_id", "iban", "amount"], columns: spec.columns)
        let repositories = MemoryRepositories()
        let stages = try await PipelineBuilder(spec: spec, repositories: repositories, logger: Logger(label: "test"))
            .stages(mapping: mapping, runID: UUID(), resumeOffset: resumeOffset, additional: [Extra()])
        return (stages.map(\.name.rawValue), repositories.recorded)
    }

    @Test func theDefaultPipelineMapsValidatesScreensAndDedups() async throws {
        let built = try await stages("")
        #expect(built.names == ["map", "validate", "screen", "dedup", "extra"])
        #expect(built.calls == ["blacklist", "history 30"], "the blacklist and the billing history, once each")
    }

    @Test func withoutScreeningNothingIsRead() async throws {
        let built = try await stages("screening: {enabled: false}")
        #expect(built.names == ["map", "validate", "dedup", "extra"])
        #expect(built.calls.isEmpty)
    }

    @Test func withoutHistoryChecksTheHistoryIsNotLoaded() async throws {
        let built = try await stages("screening: {checks: [iban_blacklist, name_blacklist], cooldown_days: 7}")
        #expect(built.names == ["map", "validate", "screen", "dedup", "extra"])
        #expect(built.calls == ["blacklist"])
    }

    @Test func aResumedRunReloadsItsDedupKeysBelowTheResumePoint() async throws {
        let built = try await stages("screening: {enabled: false}", resumeOffset: 4096)
        #expect(built.calls == ["dedup sluice_it.built before 4096"])
    }

    @Test func typedColumnsAreCastRightAfterValidation() async throws {
        let built = try await stages("screening: {enabled: false}", amountType: "numeric(12,2)")
        #expect(built.names == ["map", "validate", "cast", "dedup", "extra"])
    }

    @Test func dedupCanBeTurnedOff() async throws {
        let built = try await stages("screening: {enabled: false}\ndedup: {enabled: false}", resumeOffset: 10)
        #expect(built.names == ["map", "validate", "extra"])
        #expect(built.calls.isEmpty, "no dedup stage, no reload")
    }
}
