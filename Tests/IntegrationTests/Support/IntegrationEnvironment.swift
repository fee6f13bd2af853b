import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Logging
import PostgresNIO
import SluiceCore
import SluicePipeline
import SluicePostgres
import SluiceS3

/// The real local stack, as `scripts/stack.sh up` wrote it to `.sluice/env`.
///
/// Integration tests fail (they do not skip) when the stack is not there: `make test`
/// starts it first.
struct IntegrationEnvironment {
    let database: DatabaseConfiguration
    let s3: S3Configuration
    let bucket: String
    let logger = Logger(label: "sluice.tests")

    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    init() throws {
        do {
            database = try DatabaseConfiguration.fromEnvironment()
            s3 = try S3Configuration.fromEnvironment()
        } catch {
            throw SetupError("integration tests need the local stack: `scripts/stack.sh up` and `set -a; . .sluice/env; set +a` (\(error))")
        }
        bucket = ProcessInfo.processInfo.environment["SLUICE_S3_BUCKET"] ?? "sluice"
    }

    /// The stack's PgBouncer (transaction pooling, like production): `SLUICE_PGBOUNCER_URL`.
    func pgbouncerDatabase() throws -> DatabaseConfiguration {
        guard let url = ProcessInfo.processInfo.environment["SLUICE_PGBOUNCER_URL"], !url.isEmpty else {
            throw SetupError("SLUICE_PGBOUNCER_URL is not set: `scripts/stack.sh up` and `set -a; . .sluice/env; set +a`")
        }
        return try DatabaseConfiguration(url: url)
    }

    /// A name no other test or earlier run uses.
    /// YAML that turns screening off, for test pipelines written by hand.
    static let withoutScreening = "\nscreening: {enabled: false}\n"

    static func uniqueName(_ prefix: String) -> String {
        "\(prefix)_\(UUID().uuidString.prefix(8).lowercased())"
    }

    /// The `sluice` binary the CLI tests run: `SLUICE_BIN`, or the debug build.
    static func sluiceBinary() throws -> String {
        let binary = ProcessInfo.processInfo.environment["SLUICE_BIN"] ?? path(".build/debug/sluice")
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw SetupError("\(binary) is missing: build it with `swift build` (or set SLUICE_BIN)")
        }
        return binary
    }

    static func path(_ relative: String) -> String {
        repositoryRoot.appendingPathComponent(relative).path
    }

    /// The debtors pipeline with its own name and target table, so tests never share runs.
    /// `extra` is YAML appended to the file, e.g. a `dedup:` or `error_budget:` section.
    ///
    /// Blacklist screening is off unless `screening` is set: the blacklist is shared by the
    /// whole database (a `make demo` adds entries), and tests that compare rejections with a
    /// sample's manifest must not depend on it. Screening's own tests use values no sample has.
    func pipeline(name: String? = nil, batchSize: Int = 16_384, encoding: String = "utf-8", extra: String = "", screening: Bool = false) throws -> PipelineSpec {
        let name = name ?? Self.uniqueName("it")
        var yaml = try Self.debtorsYAML(name: name)
        yaml = yaml.replacingOccurrences(of: "batch_size: 16384", with: "batch_size: \(batchSize)")
        yaml = yaml.replacingOccurrences(of: "encoding: utf-8", with: "encoding: \(encoding)")
        yaml += "\n" + extra + "\n"
        if !screening { yaml += Self.withoutScreening }
        return try PipelineSpec.parse(yaml: yaml, path: "\(name).yaml")
    }

    /// The shipped debtors pipeline as YAML, renamed to `name` with target `sluice_it.<name>`.
    static func debtorsYAML(name: String) throws -> String {
        try String(contentsOfFile: path("pipelines/debtors.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "name: debtors", with: "name: \(name)")
            .replacingOccurrences(of: "table: sluice.debtors", with: "table: sluice_it.\(name)")
    }

    /// A pipeline file for the CLI: the debtors pipeline under a fresh name, screening off.
    struct PipelineFile {
        var path: String
        var name: String
        var table: String
    }

    /// Writes the debtors pipeline under a fresh name into `folder` (screening off, `extra`
    /// appended; `edit` may change the YAML first).
    static func pipelineFile(
        _ prefix: String, in folder: String = NSTemporaryDirectory(), extra: String = "", edit: (String, inout String) -> Void = { _, _ in }
    ) throws -> PipelineFile {
        let name = uniqueName(prefix)
        var yaml = try debtorsYAML(name: name)
        edit(name, &yaml)
        yaml += withoutScreening + extra
        let path = (folder as NSString).appendingPathComponent("\(name).yaml")
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return PipelineFile(path: path, name: name, table: "sluice_it.\(name)")
    }

    /// Batches committed so far by the runs of `pipeline`.
    func committedBatches(pipeline: String) async throws -> Int64 {
        try await scalar("""
            SELECT count(*) FROM sluice.run_checkpoints c JOIN sluice.runs r ON r.id = c.run_id WHERE r.pipeline = '\(pipeline)'
            """)
    }

    func runner(s3 configuration: S3Configuration? = nil) -> PipelineRunner {
        PipelineRunner(database: database, inputs: InputLocator(s3Configuration: configuration ?? s3, logger: logger), logger: logger)
    }

    func s3Client() throws -> S3Client {
        try S3Client(configuration: s3)
    }

    /// Uploads a local file and returns its `s3://` URL.
    func upload(_ path: String, key: String) async throws -> String {
        _ = try await s3Client().putObject(bucket: bucket, key: key, fileAt: path)
        return "s3://\(bucket)/\(key)"
    }

    func withConnection<T>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        let connection = try await database.connect(logger: logger)
        do {
            let result = try await body(connection)
            try await connection.close()
            return result
        } catch {
            try? await connection.close()
            throw error
        }
    }

    /// The first column of the first row of `sql`, as an integer.
    func scalar(_ sql: String) async throws -> Int64 {
        try await withConnection { connection in
            for try await value in try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger).decode(Int64.self) {
                return value
            }
            throw SetupError("no row from: \(sql)")
        }
    }

    func strings(_ sql: String) async throws -> [String] {
        try await withConnection { connection in
            var values: [String] = []
            for try await value in try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger).decode(String.self) {
                values.append(value)
            }
            return values
        }
    }

    /// Applies migrations, for tests that use tables before any run created them.
    func migrate() async throws {
        try await withConnection { try await Migrator().migrate(on: $0, logger: logger) }
    }

    func integers(_ sql: String) async throws -> [Int64] {
        try await withConnection { connection in
            var values: [Int64] = []
            for try await value in try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger).decode(Int64.self) {
                values.append(value)
            }
            return values
        }
    }

    /// Generates a debtor file with the project's generator and returns its manifest counts.
    static func generate(rows: Int, seed: Int, to path: String) throws -> Manifest {
        let manifestPath = path + ".manifest.json"
        try run("/usr/bin/env", ["python3", Self.path("scripts/generate_debtors.py"), "--rows", "\(rows)", "--seed", "\(seed)",
                                  "--output", path, "--manifest", manifestPath, "--full-manifest"])
        return try Manifest.load(manifestPath)
    }

    /// Runs a command and waits for it with `waitpid`. Foundation's `Process` is not used
    /// here because it can wait forever for a command that starts a daemon (as
    /// `stack.sh pg-restart` does): the daemon keeps the descriptors Process watches.
    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) throws -> Int32 {
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard spawned == 0 else { throw SetupError("cannot start \(executable): error \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let exitCode = (status >> 8) & 0xFF
        guard status & 0x7F == 0, exitCode == 0 else {
            throw SetupError("\(executable) \(arguments.joined(separator: " ")) exited with status \(status)")
        }
        return exitCode
    }
}

/// What the generator says it injected.
struct Manifest: Decodable {
    struct Defect: Decodable {
        var record: Int
        var line: Int64
        var code: String
        /// For duplicates: the line of the first occurrence.
        var firstLine: Int64?

        enum CodingKeys: String, CodingKey {
            case record, line, code
            case firstLine = "first_line"
        }
    }

    var rows: Int
    var counts: [String: Int]
    var defects: [Defect]?

    static func load(_ path: String) throws -> Manifest {
        try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// Injected defects the pipeline rejects with its default dedup key (IBAN + amount +
    /// external reference), per reason code. `dedup.same_iban` rows differ in amount and
    /// reference, so they are duplicates only under an IBAN-only key.
    var expectedRejections: [String: Int64] {
        counts.filter { $0.key != "dedup.same_iban" && $0.value > 0 }.mapValues(Int64.init)
    }

    /// Rows with an injected defect the pipeline rejects (at most one defect per row).
    var expectedRejectedRows: Int64 { expectedRejections.values.reduce(0, +) }

    func lines(of code: String) -> [Int64] {
        (defects ?? []).filter { $0.code == code }.map(\.line).sorted()
    }
}

struct SetupError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
