import ArgumentParser
import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle
import SluiceCore
import SluicePipeline
import SluicePostgres
import SluiceReports

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Load one object through a pipeline into PostgreSQL.",
        discussion: """
            Finds or creates the run for this pipeline and object version. An unfinished run \
            of the same object is resumed from its last checkpoint; a completed one is not \
            loaded again unless --force is given.
            """
    )

    @Argument(help: "The pipeline file, e.g. pipelines/debtors.yaml.")
    var pipeline: String

    @Option(name: .long, help: "s3://bucket/key or a local path. Defaults to the pipeline's source.input.")
    var input: String?

    @Option(name: .long, help: "Continue this run id from its last checkpoint.")
    var resume: String?

    @Flag(name: .long, help: "Load the object again even if it was loaded before.")
    var force = false

    @Option(name: .long, help: "For XLSX: a sheet name or 1-based index (overrides source.sheet; keep it the same when resuming).")
    var sheet: String?

    @Option(name: .long, help: "Rows per batch (overrides the pipeline's batch_size for a new run).")
    var batchSize: Int?

    @Option(name: .long, help: "Seconds to wait for a run that another process still holds (e.g. until a dead process's lease expires). Default: SLUICE_LOCK_WAIT or 30.")
    var lockWait: Double?

    @Flag(name: .long, help: """
        Run every stage (payee verification included) and write nothing to the target table, the billing tables or the \
        blacklist; the run is recorded as a dry run, writes its rejection report to a file, and never blocks a real run.
        """)
    var dryRun = false

    @Option(name: .long, help: "With --dry-run, payee verification: 'provider' (default) calls the provider, 'cache-only' asks only the answers already paid for.")
    var vop: DryRunVOP = .provider

    @Option(name: .long, help: "With --dry-run: the rejection report to write (.csv or .xlsx). Default: ./<pipeline>-dry-run-<run id>.rejections.csv")
    var report: String?

    @Flag(name: .long, help: "Print the summary as JSON on stdout.")
    var json = false

    @Flag(name: .long, help: "Never draw the progress bar.")
    var noProgress = false

    @Flag(name: .shortAndLong, help: "Log debug messages to stderr.")
    var verbose = false

    enum DryRunVOP: String, ExpressibleByArgument, CaseIterable {
        case provider
        case cacheOnly = "cache-only"
    }

    func validate() throws {
        if !dryRun {
            if vop != .provider { throw ValidationError("--vop is for --dry-run") }
            if report != nil { throw ValidationError("--report is for --dry-run; `sluice report rejections` writes a run's report") }
        } else if resume != nil {
            throw ValidationError("a dry run starts afresh: --resume and --dry-run do not go together")
        }
    }

    func run() async throws {
        MemoryTuning.apply()
        let logger = Environment.logger(verbose: verbose)
        var summary = try await reportingErrors { try await load(logger: logger) }
        if dryRun {
            summary.dryRunReport = try await reportingErrors { try await writeDryRunReport(of: summary.run, logger: logger) }
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(summary), as: UTF8.self))
        } else {
            print(summary.text)
        }
        switch summary.run.status {
        case .failedBudget: throw ExitCode(ExitCodes.budgetExceeded)
        case .interrupted: throw ExitCode(ExitCodes.interrupted)
        case .cancelled: throw ExitCode(ExitCodes.cancelled)
        default: break
        }
    }

    private func load(logger: Logger) async throws -> RunSummary {
        var spec = try PipelineSpec.load(path: pipeline) { Terminal.printError($0.lintLine) }
        if let sheet { spec.source.sheet = sheet }
        guard let input = input ?? spec.source.input else {
            throw SluiceError(.invalidArgument, "no --input given and the pipeline has no source.input")
        }
        if let batchSize, !(1...1_000_000).contains(batchSize) {
            throw SluiceError(.invalidArgument, "--batch-size must be between 1 and 1000000 rows, found \(batchSize)")
        }
        var resumeID: UUID?
        if let resume {
            guard let id = UUID(uuidString: resume) else { throw SluiceError(.invalidArgument, "--resume needs a run id (UUID)") }
            resumeID = id
        }
        let database = try Environment.database()
        // One quick connection first: a database that is down or refuses us is reported at
        // once, where the pool would retry its connects for seconds before giving up.
        try await database.withConnection(logger: logger) { _ in }
        let client = PostgresClient(configuration: database.clientConfiguration, backgroundLogger: logger)
        let runner = PipelineRunner(
            connections: PooledConnections(client: client),
            inputs: InputLocator(s3Configuration: try Environment.s3(), logger: logger),
            logger: logger
        )
        var options = RunOptions(resumeRunID: resumeID, force: force, batchSize: batchSize)
        if dryRun {
            options.mode = .dryRun
            options.vopCacheOnly = vop == .cacheOnly
        }
        options.lockWait = try Self.lockWait(flag: lockWait)
        options.leaseTTL = try Self.leaseTTL()
        let signals = StopSignals(control: options.control)
        defer { signals.cancel() }
        let progressBar: ProgressBar? = (!noProgress && Terminal.stderrIsTerminal) ? ProgressBar() : nil
        if let progressBar {
            options.onProgress = { @Sendable progress in progressBar.update(progress) }
        }
        defer { progressBar?.finish() }
        // The process is a ServiceGroup: the pool first (it shuts down last), then the run.
        let service = RunService(runner: runner, spec: spec, input: input, options: options)
        var configuration = ServiceGroupConfiguration(
            services: [
                .init(service: client),
                .init(service: service, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup),
            ],
            logger: logger)
        configuration.gracefulShutdownSignals = [.sigterm, .sigint]
        try await ServiceGroup(configuration: configuration).run()
        guard let summary = service.summary.current else {
            throw SluiceError(.internalError, "the run ended without a summary")
        }
        return summary
    }
}

extension RunCommand {
    /// `--lock-wait`, else `SLUICE_LOCK_WAIT`, else 30 seconds.
    static func lockWait(flag: Double?, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Duration {
        var seconds = 30.0
        if let text = environment["SLUICE_LOCK_WAIT"], !text.isEmpty {
            guard let value = Double(text), value >= 0, value.isFinite else {
                throw SluiceError(.invalidArgument, "SLUICE_LOCK_WAIT must be a number of seconds, found '\(text)'")
            }
            seconds = value
        }
        if let flag {
            guard flag >= 0, flag.isFinite else { throw SluiceError(.invalidArgument, "--lock-wait must be a number of seconds, 0 or more") }
            seconds = flag
        }
        return .milliseconds(Int64(seconds * 1000))
    }

    /// `SLUICE_LEASE_TTL` in seconds (default 10, at least 1).
    static func leaseTTL(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Duration {
        guard let text = environment["SLUICE_LEASE_TTL"], !text.isEmpty else { return .seconds(10) }
        guard let value = Double(text), value >= 1, value <= 3600 else {
            throw SluiceError(.invalidArgument, "SLUICE_LEASE_TTL must be a number of seconds from 1 to 3600, found '\(text)'")
        }
        return .milliseconds(Int64(value * 1000))
    }
}

extension RunCommand {
    /// Writes a dry run's rejections where `--report` says (by default next to where sluice
    /// runs) and returns the path: a dry run's report is what the data team reads next.
    func writeDryRunReport(of run: RunRecord, logger: Logger) async throws -> String {
        let path = report ?? "\(run.pipeline)-dry-run-\(run.idText.prefix(8)).rejections.csv"
        let format = ReportFormat.resolved(nil, output: path)
        _ = try await ReportContext.with(runID: run.idText, logger: logger) { context in
            try await ReportRejectionsCommand.writeRows(of: context, to: path, format: format, flagged: false, masksIBANs: true)
        }
        return path
    }
}
