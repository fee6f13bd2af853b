import Foundation
import Logging
import PostgresNIO
import SluiceCore
import SluicePostgres
import SluiceStages
import SluiceVOP

/// Runs a pipeline over one fixture against the real database and holds the outcome against
/// what the fixture expects (`sluice test`).
///
/// The rows go to a scratch schema (`sluice_test_<random>`), so the pipeline's own table is
/// never touched; the run is recorded as a test run while it goes, and its records (run,
/// checkpoints, rejections, payee checks) and the scratch schema are removed afterwards.
/// Billing is never started; payee-verification answers of a test never reach the shared cache.
/// Screening sees the fixture's blacklist only and no billing history, so a case passes or
/// fails the same on any database.
public struct PipelineTestRunner: Sendable {
    public let database: DatabaseConfiguration
    public let logger: Logger
    /// Keep the scratch schema and the run's records, to look at them after a failure.
    public var keep = false

    public init(database: DatabaseConfiguration, logger: Logger, keep: Bool = false) {
        self.database = database
        self.logger = logger
        self.keep = keep
    }

    /// - Parameters:
    ///   - pipelinePath: the pipeline file.
    ///   - payeeVerifier: the provider for a pipeline with `vop:` (the CLI starts a simulator).
    public func run(
        pipelinePath: String, fixture: PipelineFixture, payeeVerifier: (any PayeeVerifier, VOPProvider)? = nil
    ) async throws -> PipelineTestResult {
        let started = ContinuousClock.now
        let environment = ProcessInfo.processInfo.environment.merging(fixture.environment) { $1 }
        var spec = try PipelineSpec.load(path: pipelinePath, environment: environment)
        let scratch = "sluice_test_" + UUID().uuidString.prefix(8).lowercased()
        spec.target = try TableName("\(scratch).\(spec.target.name)")
        var result = PipelineTestResult(pipeline: spec.name, fixture: fixture, differences: [], seconds: 0)
        var options = RunOptions()
        options.mode = .test
        options.newRunID = UUID()
        options.fixtureBlacklist = try fixture.blacklist.map { entry in (entry.kind, try entry.kind.normalize(entry.value).key) }
        if let payeeVerifier { options.payeeVerifier = payeeVerifier }
        let runID = options.newRunID!

        let runner = PipelineRunner(database: database, inputs: InputLocator(s3Configuration: nil, logger: logger), logger: logger)
        var summary: RunSummary?
        do {
            summary = try await runner.run(spec, input: fixture.input, options: options)
        } catch let error as SluiceError {
            if let expected = fixture.error {
                if !error.description.contains(expected) {
                    result.differences.append("error: expected one containing \"\(expected)\", got \"\(error.description)\"")
                }
            } else {
                result.differences.append("the run failed: \(error.description)")
            }
        }
        if let summary {
            result.counters = summary.run.counters
            result.differences += try await compare(summary, with: fixture, spec: spec)
        }
        if !keep { try await cleanUp(runID: runID, scratch: scratch) }
        result.seconds = (ContinuousClock.now - started).seconds
        return result
    }

    private func compare(_ summary: RunSummary, with fixture: PipelineFixture, spec: PipelineSpec) async throws -> [String] {
        var differences: [String] = []
        let counters = summary.run.counters
        if let expected = fixture.error {
            differences.append("error: expected the run to fail with \"\(expected)\", it ended \(summary.run.status.rawValue)")
        }
        if summary.run.status != fixture.status {
            differences.append("status: expected \(fixture.status.rawValue), got \(summary.run.status.rawValue)" + (summary.run.error.map { " (\($0))" } ?? ""))
        }
        if let accepted = fixture.accepted, accepted != counters.rowsAccepted {
            differences.append("accepted: expected \(accepted), got \(counters.rowsAccepted)")
        }
        differences += PipelineTestResult.countDifferences("rejected", expected: fixture.rejected, actual: counters.rejectedByReason)
        differences += PipelineTestResult.countDifferences("flagged", expected: fixture.flagged, actual: counters.flaggedByReason)
        guard !fixture.rows.isEmpty else { return differences }

        let columns = Set(fixture.rows.flatMap(\.values.keys)).sorted()
        for column in columns where !spec.columns.contains(where: { $0.name == column }) {
            differences.append("rows: '\(column)' is not a column of pipeline \(spec.name)")
        }
        let known = columns.filter { column in spec.columns.contains { $0.name == column } }
        let (stored, reasons) = try await database.withConnection("read the test's rows", logger: logger) { connection in
            try await Self.rows(of: summary.run.id, lines: fixture.rows.map(\.line), columns: known, table: spec.target, on: connection, logger: logger)
        }
        for row in fixture.rows.sorted(by: { $0.line < $1.line }) {
            guard let values = stored[row.line] else {
                let why = reasons[row.line].map { " (rejected: \($0.joined(separator: ", ")))" } ?? " (no row has that line)"
                differences.append("row at line \(row.line): expected an accepted row, found none\(why)")
                continue
            }
            for column in known.sorted() where row.values.keys.contains(column) {
                let want = row.values[column] ?? nil, got = values[column] ?? nil
                if want != got {
                    differences.append("row at line \(row.line), \(column): expected \(Self.show(want)), got \(Self.show(got))")
                }
            }
        }
        return differences
    }

    private static func show(_ value: String?) -> String { value.map { "\"\($0)\"" } ?? "NULL" }

    /// The stored values by source line, as PostgreSQL prints them, and the reason codes of
    /// lines that were rejected instead.
    private static func rows(
        of runID: UUID, lines: [Int64], columns: [String], table: TableName, on connection: PostgresConnection, logger: Logger
    ) async throws -> (values: [Int64: [String: String?]], reasons: [Int64: [String]]) {
        var values: [Int64: [String: String?]] = [:]
        let selected = (["source_line::text"] + columns.map { "\(TableName.quote($0))::text" }).joined(separator: ", ")
        var binds = PostgresBindings()
        binds.append(runID)
        binds.append(lines)
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: "SELECT \(selected) FROM \(table.quoted) WHERE run_id = $1 AND source_line = ANY($2)", binds: binds),
            logger: logger)
        for try await row in rows {
            let random = row.makeRandomAccess()
            guard let line = Int64(try random[0].decode(String.self)) else { continue }
            var record: [String: String?] = [:]
            for (index, column) in columns.enumerated() { record[column] = try random[index + 1].decode(String?.self) }
            values[line] = record
        }
        var reasons: [Int64: [String]] = [:]
        let rejected = try await connection.query("""
            SELECT line, code FROM sluice.rejections WHERE run_id = \(runID) AND outcome = 'rejected' AND line = ANY(\(lines)) ORDER BY code
            """, logger: logger)
        for try await (line, code) in rejected.decode((Int64, String).self) { reasons[line, default: []].append(code) }
        return (values, reasons)
    }

    /// Removes what earlier tests left when their process died (SIGKILL, a lost machine): test
    /// runs whose lease ran out, their records and scratch schemas, and scratch schemas no test
    /// run names when no test is running. A live test renews its lease, so it is never touched.
    ///
    /// - Returns: how many scratch schemas were dropped.
    @discardableResult
    public func removeAbandoned() async throws -> Int {
        try await database.withConnection("remove abandoned test runs", logger: logger) { connection in
            var runs: [(UUID, String)] = []
            let stale = try await connection.query("""
                SELECT id, target_table FROM sluice.runs
                WHERE mode = 'test' AND (lease_expires_at < now() OR (lease_expires_at IS NULL AND updated_at < now() - interval '1 minute'))
                """, logger: logger)
            for try await (id, table) in stale.decode((UUID, String).self) { runs.append((id, table)) }
            var schemas = Set(runs.compactMap { Self.scratchSchema(of: $0.1) })
            var live = false
            for try await count in try await connection.query(
                "SELECT count(*) FROM sluice.runs WHERE mode = 'test' AND NOT (id = ANY(\(runs.map(\.0))))", logger: logger).decode(Int64.self) {
                live = count > 0
            }
            if !live {
                let orphans = try await connection.query(
                    "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'sluice\\_test\\_%'", logger: logger)
                for try await name in orphans.decode(String.self) { schemas.insert(name) }
            }
            for schema in schemas.sorted() {
                logger.notice("dropping an abandoned test schema", metadata: ["schema": "\(schema)"])
                try await connection.query(PostgresQuery(unsafeSQL: "DROP SCHEMA IF EXISTS \(TableName.quote(schema)) CASCADE"), logger: logger)
            }
            let ids = runs.map(\.0)
            if !ids.isEmpty {
                try await connection.query("DELETE FROM sluice.rejections WHERE run_id = ANY(\(ids))", logger: logger)
                try await connection.query("DELETE FROM sluice.vop_checks WHERE run_id = ANY(\(ids))", logger: logger)
                try await connection.query("DELETE FROM sluice.runs WHERE id = ANY(\(ids)) AND mode = 'test'", logger: logger)
            }
            return schemas.count
        }
    }

    /// `sluice_test_1a2b3c4d` of `sluice_test_1a2b3c4d.debtors`; `nil` for any other table.
    static func scratchSchema(of table: String) -> String? {
        guard let schema = table.split(separator: ".").first.map(String.init), schema.hasPrefix("sluice_test_") else { return nil }
        return schema
    }

    /// Removes what the test wrote: the scratch schema and the run's records.
    private func cleanUp(runID: UUID, scratch: String) async throws {
        try await database.withConnection("remove the test's scratch schema", logger: logger) { connection in
            try await connection.query(PostgresQuery(unsafeSQL: "DROP SCHEMA IF EXISTS \(TableName.quote(scratch)) CASCADE"), logger: logger)
            try await connection.query("DELETE FROM sluice.rejections WHERE run_id = \(runID)", logger: logger)
            try await connection.query("DELETE FROM sluice.vop_checks WHERE run_id = \(runID)", logger: logger)
            try await connection.query("DELETE FROM sluice.runs WHERE id = \(runID) AND mode = 'test'", logger: logger)
        }
    }
}
