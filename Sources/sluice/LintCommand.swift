import ArgumentParser
import Foundation
import SluiceCore
import SluicePipeline

struct LintCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Check pipeline files and print every problem with its line and column.",
        discussion: """
            Prints each problem as FILE:LINE:COLUMN: error|warning: MESSAGE, the pipeline files \
            first, then the files they include, each by position; then a count on stderr. A \
            directory stands for its *.yaml and *.yml files. Variables (${VAR}) are read from \
            this environment. Exits 0 when there is no error, 4 when there is one (or, with \
            --strict, a warning). Needs no database.
            """
    )

    @Argument(help: "Pipeline files or folders of them, e.g. pipelines/.")
    var paths: [String]

    @Option(name: .long, help: "text, or json: an array of {file, line, column, severity, message, path}.")
    var format: Format = .text

    @Flag(name: .long, help: "Treat warnings as errors.")
    var strict = false

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    /// One problem as `--format json` writes it.
    struct Entry: Encodable {
        var file: String?
        var line: Int?
        var column: Int?
        var severity: String
        var message: String
        /// The key path at fault, `target.connections`; empty for the whole file.
        var path: String
    }

    func run() async throws {
        let files = try await reportingErrors { try Self.files(paths) }
        let lints = files.map { PipelineSpec.lint(path: $0) }
        let problems = lints.flatMap(\.problemsInFileOrder)
        switch format {
        case .text:
            for problem in problems { print(problem.lintLine) }
        case .json:
            let entries = problems.map {
                Entry(file: $0.file, line: $0.line, column: $0.column, severity: $0.severity.rawValue, message: $0.message, path: $0.key)
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(entries.isEmpty ? "[]" : String(decoding: try encoder.encode(entries), as: UTF8.self))
        }
        let errors = problems.filter { $0.severity == .error }.count, warnings = problems.count - errors
        Terminal.printError("\(Self.count(errors, "error")), \(Self.count(warnings, "warning")) in \(Self.count(files.count, "file"))")
        if errors > 0 || (strict && warnings > 0) { throw ExitCode(ExitCodes.invalidInput) }
    }

    static func count(_ number: Int, _ noun: String) -> String { "\(number) \(noun)\(number == 1 ? "" : "s")" }

    /// The files to lint: each path given, a folder standing for its `*.yaml` and `*.yml`
    /// files (not those of its subfolders, where files meant to be included usually live).
    static func files(_ paths: [String]) throws -> [String] {
        var files: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
                files.append(path)
                continue
            }
            let names: [String]
            do {
                names = try FileManager.default.contentsOfDirectory(atPath: path)
            } catch {
                throw SluiceError(.invalidArgument, "cannot read the folder \(path)", underlying: error)
            }
            let yaml = names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
            guard !yaml.isEmpty else { throw SluiceError(.invalidArgument, "\(path) has no *.yaml or *.yml file to lint") }
            files += yaml.map { (path as NSString).appendingPathComponent($0) }
        }
        return files
    }
}
