import ArgumentParser
import Foundation
import Logging
import SluiceCore
import SluicePipeline
import SluicePostgres
import SluiceSimulators
import SluiceVOP

/// `sluice test [PIPELINE…]`: runs each pipeline over the fixtures next to it and compares.
struct TestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run pipelines over their test fixtures and compare the outcome with what the fixtures expect.",
        discussion: """
            A pipeline's fixtures are under <pipelines>/tests/<pipeline name>/: one file named input.* and \
            expected.yaml, or one such folder per case (docs/pipelines.md, "Testing a pipeline"). Each case \
            runs against the real database, into a scratch schema that is dropped afterwards; nothing is \
            billed and nothing is written to the pipeline's table or the blacklist; screening sees the \
            fixture's blacklist only and no billing history, so a case gives the same result on any database. A pipeline with vop: \
            verifies payees with a VOP simulator started on loopback. Exit code 12 when a case fails.
            """
    )

    @Argument(help: "Pipeline names or files; all pipelines of the folder that have fixtures when none is given.")
    var pipelines: [String] = []

    @Option(name: .long, help: "The pipelines folder. Default: SLUICE_PIPELINES or pipelines.")
    var folder: String?

    @Flag(name: .long, help: "Keep each case's scratch schema and run records, to look at after a failure.")
    var keep = false

    @Flag(name: .shortAndLong, help: "Log debug messages to stderr.")
    var verbose = false

    func run() async throws {
        var logger = Environment.logger(verbose: verbose)
        if !verbose { logger.logLevel = .error }
        let results = try await reportingErrors {
            let suites = try discover()
            let database = try Environment.database()
            try await database.withConnection(logger: logger) { connection in
                try await Migrator().migrate(on: connection, logger: logger)
            }
            let runner = PipelineTestRunner(database: database, logger: logger, keep: keep)
            try await runner.removeAbandoned()
            var results: [PipelineTestResult] = []
            for suite in suites {
                for fixture in suite.fixtures {
                    let result = try await run(fixture, of: suite, runner: runner, logger: logger)
                    print(result.text)
                    results.append(result)
                }
            }
            return results
        }
        let failed = results.filter { !$0.passed }.count
        print("\(results.count - failed) passed, \(failed) failed")
        if failed > 0 { throw ExitCode(ExitCodes.testFailed) }
    }

    /// One pipeline file and its cases.
    struct Suite {
        var path: String
        var fixtures: [PipelineFixture]
        var hasVOP: Bool
    }

    private func run(_ fixture: PipelineFixture, of suite: Suite, runner: PipelineTestRunner, logger: Logger) async throws -> PipelineTestResult {
        guard suite.hasVOP else { return try await runner.run(pipelinePath: suite.path, fixture: fixture) }
        let holders = try fixture.vopHolders.map { try AccountHolders.load(contentsOf: $0) } ?? AccountHolders()
        return try await VOPSimulator.serving(holders: holders, logger: logger) { verifier in
            try await runner.run(pipelinePath: suite.path, fixture: fixture, payeeVerifier: verifier)
        }
    }

    /// The pipelines to test and their fixtures.
    ///
    /// - Throws: `SluiceError(.invalidArgument)` for a pipeline asked for by name that does not
    ///   exist or has no fixtures.
    private func discover() throws -> [Suite] {
        let folder = self.folder ?? ProcessInfo.processInfo.environment["SLUICE_PIPELINES"] ?? "pipelines"
        let testsFolder = (folder as NSString).appendingPathComponent("tests")
        var files: [String] = []
        if pipelines.isEmpty {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
            files = names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted().map { (folder as NSString).appendingPathComponent($0) }
        } else {
            for argument in pipelines {
                if argument.hasSuffix(".yaml") || argument.hasSuffix(".yml") {
                    files.append(argument)
                } else {
                    let candidates = ["yaml", "yml"].map { (folder as NSString).appendingPathComponent("\(argument).\($0)") }
                    guard let found = candidates.first(where: FileManager.default.fileExists(atPath:)) else {
                        throw SluiceError(.invalidArgument, "no pipeline file \(argument).yaml in \(folder)")
                    }
                    files.append(found)
                }
            }
        }
        var suites: [Suite] = []
        for file in files {
            // Lint errors stop the test of that pipeline with the same messages as `sluice run`.
            let spec = try PipelineSpec.load(path: file)
            let stem = ((file as NSString).lastPathComponent as NSString).deletingPathExtension
            let folders = [spec.name, stem].map { (testsFolder as NSString).appendingPathComponent($0) }
            guard let caseFolder = folders.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
                if !pipelines.isEmpty { throw SluiceError(.invalidArgument, "pipeline \(spec.name) has no tests: add \(folders[0])/input.csv and expected.yaml") }
                Terminal.printError("warning: pipeline \(spec.name) (\(file)) has no tests in \(folders[0])")
                continue
            }
            suites.append(Suite(path: file, fixtures: try Self.fixtures(in: caseFolder), hasVOP: spec.vop != nil))
        }
        return suites
    }

    /// The cases of one pipeline: the folder itself, or each subfolder with an expected.yaml.
    static func fixtures(in folder: String) throws -> [PipelineFixture] {
        let fileManager = FileManager.default
        if fileManager.fileExists(atPath: (folder as NSString).appendingPathComponent("expected.yaml")) {
            return [try PipelineFixture(folder: folder)]
        }
        let cases = ((try? fileManager.contentsOfDirectory(atPath: folder)) ?? []).sorted().map { (folder as NSString).appendingPathComponent($0) }
            .filter { fileManager.fileExists(atPath: ($0 as NSString).appendingPathComponent("expected.yaml")) }
        guard !cases.isEmpty else { throw SluiceError(.invalidArgument, "\(folder) has no expected.yaml, nor subfolders with one") }
        return try cases.map(PipelineFixture.init(folder:))
    }
}

extension VOPSimulator {
    /// Runs `body` with a verifier that calls a simulator on a free loopback port, serving
    /// `holders`; the simulator stops when `body` returns.
    static func serving<T: Sendable>(
        holders: AccountHolders, logger: Logger, _ body: @Sendable ((any PayeeVerifier, VOPProvider)) async throws -> T
    ) async throws -> T {
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        // The simulator's own log would only say that its connections were closed at the end.
        var quiet = logger
        quiet.logLevel = .critical
        let simulator = VOPSimulator(configuration: VOPSimulatorConfiguration(port: 0, holders: holders), logger: quiet) { port in
            continuation.yield(port)
            continuation.finish()
        }
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await simulator.run()
                return nil
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw SluiceError(.internalError, "the VOP simulator did not start") }
            let configuration = VOPProviderConfiguration(provider: .epc, url: "http://127.0.0.1:\(port)\(VOPSimulator.epcPath)")
            let result = try await body((configuration.makeVerifier(logger: logger), .epc))
            group.cancelAll()
            return result
        }
    }
}
