import ArgumentParser
import Foundation
import Logging
import PostgresNIO
import SluiceCore
import SluicePipeline
import SluicePostgres
import SluiceStages

struct BlacklistCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "blacklist",
        abstract: "Manage the blacklist that screening checks rows against.",
        discussion: """
            Kinds: iban, name (first and last name), email, bic, bic_prefix. Values are \
            normalised before they are stored; IBANs are stored as SHA-256 with a masked copy for display.
            """,
        subcommands: [Add.self, Remove.self, List.self, Import.self, Export.self]
    )

    /// Exactly one value, named by its kind.
    struct Value: ParsableArguments {
        @Option(help: "An IBAN (or sha256:<hex> of one).") var iban: String?
        @Option(help: "A person's first and last name, e.g. \"Max Mustermann\".") var name: String?
        @Option(help: "An e-mail address.") var email: String?
        @Option(help: "A BIC (8 or 11 characters).") var bic: String?
        @Option(name: .customLong("bic-prefix"), help: "The start of BICs to block, e.g. DEUT or DEUTDE.") var bicPrefix: String?

        func resolved() throws -> (BlacklistKind, String) {
            let given: [(BlacklistKind, String?)] = [(.iban, iban), (.name, name), (.email, email), (.bic, bic), (.bicPrefix, bicPrefix)]
            let present = given.compactMap { kind, value in value.map { (kind, $0) } }
            guard present.count == 1, let only = present.first else {
                throw SluiceError(.invalidArgument, "give exactly one of --iban, --name, --email, --bic, --bic-prefix")
            }
            return only
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add an entry, or update its reason and source.")
        @OptionGroup var value: Value
        @Option(help: "Why it is blacklisted, e.g. a SEPA reason code or a note.") var reason = ""
        @Option(help: "Where the entry comes from.") var source = "manual"

        func run() async throws {
            try await withBlacklist { store in
                let (kind, text) = try value.resolved()
                let entry = try await store.add(kind: kind, value: text, reason: reason, source: source)
                print("added \(entry.kind.rawValue) \(entry.display)")
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove an entry.")
        @OptionGroup var value: Value

        func run() async throws {
            try await withBlacklist { store in
                let (kind, text) = try value.resolved()
                guard try await store.remove(kind: kind, value: text) else {
                    throw SluiceError(.invalidArgument, "no \(kind.rawValue) entry matches that value")
                }
                print("removed")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List entries, newest first.")
        @Option(help: "Only this kind.") var kind: String?
        @Option(help: "How many entries.") var limit = 50
        @Flag(help: "One JSON object per line.") var json = false

        func run() async throws {
            try await withBlacklist(readOnly: true) { store in
                let filter = try kind.map(BlacklistCommand.kind)
                let entries = try await store.list(kind: filter, limit: limit)
                let counts = try await store.counts()
                let encoder = JSONEncoder()
                encoder.dateEncodingStrategy = .iso8601
                encoder.outputFormatting = [.sortedKeys]
                for entry in entries {
                    if json {
                        print(String(decoding: try encoder.encode(entry), as: UTF8.self))
                    } else {
                        print("\(entry.kind.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)) \(entry.display.padding(toLength: 36, withPad: " ", startingAt: 0)) \(entry.reason.padding(toLength: 12, withPad: " ", startingAt: 0)) \(entry.source)")
                    }
                }
                if !json {
                    let total = counts.values.reduce(0, +)
                    let parts = BlacklistKind.allCases.compactMap { kind in counts[kind].map { "\(kind.rawValue) \($0)" } }
                    Terminal.printError("\(entries.count) shown of \(total) (\(parts.joined(separator: ", ")))")
                }
            }
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import entries from a CSV file with columns kind,value[,reason,source].",
            discussion: "Bad lines are listed with their line and column and skipped; the exit code is then 4.")
        @Argument(help: "A CSV file.") var file: String
        @Option(help: "Source of lines that name none.") var source = "import"

        func run() async throws {
            let problems = try await withBlacklist { store -> Int in
                let path = URL(fileURLWithPath: file).standardizedFileURL.path
                let result = try await BlacklistTransfer(store: store).importCSV(from: LocalFileSource(path: path), defaultSource: source)
                for problem in result.problems { Terminal.printError("\(file): \(problem)") }
                print("imported \(result.rows - result.problems.count) of \(result.rows) lines: \(result.inserted) new, \(result.updated) updated, \(result.problems.count) skipped")
                return result.problems.count
            }
            if problems > 0 { throw ExitCode(ExitCodes.invalidInput) }
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Export entries as CSV (IBANs as sha256:<hex>).")
        @Option(help: "Write to this file instead of standard output.") var output: String?
        @Option(help: "Only this kind.") var kind: String?

        func run() async throws {
            try await withBlacklist(readOnly: true) { store in
                let filter = try kind.map(BlacklistCommand.kind)
                let handle: FileHandle
                if let output {
                    guard FileManager.default.createFile(atPath: output, contents: nil) else {
                        throw SluiceError(.invalidArgument, "cannot write \(output)")
                    }
                    handle = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
                } else {
                    handle = FileHandle.standardOutput
                }
                let count = try await BlacklistTransfer(store: store).exportCSV(kind: filter) { try handle.write(contentsOf: $0) }
                if output != nil {
                    try handle.close()
                    Terminal.printError("exported \(count) entries to \(output ?? "")")
                }
            }
        }
    }

    static func kind(_ text: String) throws -> BlacklistKind {
        guard let kind = BlacklistKind(rawValue: text) else {
            throw SluiceError(.invalidArgument, "--kind must be one of \(BlacklistKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return kind
    }
}

/// A blacklist store on a migrated database (or, for commands that only read, a current one).
private func withBlacklist<T>(readOnly: Bool = false, _ body: (BlacklistStore) async throws -> T) async throws -> T {
    try await Environment.withDatabase(readOnly: readOnly) { connection, logger in try await body(BlacklistStore(connection: connection, logger: logger)) }
}
