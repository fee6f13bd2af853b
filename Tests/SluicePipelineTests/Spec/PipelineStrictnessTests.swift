import Foundation
import SluiceCore
import Testing
import Yams

@testable import SluicePipeline

/// Issue 9: a pipeline file refuses what it does not understand, and says so in plain words
/// with the line and column.
struct PipelineStrictnessTests {
    /// One mistake: the YAML, what the message must contain, and where it must point.
    struct Mistake: Sendable, CustomTestStringConvertible {
        var yaml: String
        var message: String
        var line: Int
        var column: Int
        var testDescription: String { message }
    }

    static func parse(_ yaml: String) throws -> PipelineSpec {
        try PipelineSpec.parse(yaml: yaml, path: "pipelines/bad.yaml")
    }

    static func expect(_ mistake: Mistake, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(sourceLocation: sourceLocation) {
            try parse(mistake.yaml)
        } throws: { error in
            guard let error = error as? SluiceError else { return false }
            let matches = error.code == .invalidPipeline && error.object == "pipelines/bad.yaml"
                && error.reason.contains(mistake.message)
                && error.line == Int64(mistake.line) && error.column == String(mistake.column)
            if !matches { Issue.record("got: \(error)", sourceLocation: sourceLocation) }
            return matches
        }
    }

    static let header = "name: demo\ntarget: {table: s.t}\ncolumns: [{name: iban}, {name: amount}, {name: external_id}]\n"

    @Test(arguments: [
        // The three of issue 9: a budget, a section and a flag that were silently ignored.
        Mistake(yaml: header + "error_budget: {max_rejected_row: 0}",
                message: "unknown key 'error_budget.max_rejected_row'; did you mean 'max_rejected_rows'?", line: 4, column: 16),
        Mistake(yaml: header + "error_budgets:\n  max_rejected_rows: 0",
                message: "unknown key 'error_budgets'; did you mean 'error_budget'?", line: 4, column: 1),
        Mistake(yaml: "name: demo\ntarget:\n  table: s.t\n  keep_rwa: false\ncolumns: [{name: iban}]",
                message: "unknown key 'target.keep_rwa'; did you mean 'keep_raw'?", line: 4, column: 3),
        // Every section, nested ones included.
        Mistake(yaml: header + "validation:\n  sepa_olny: true",
                message: "unknown key 'validation.sepa_olny'; did you mean 'sepa_only'?", line: 5, column: 3),
        Mistake(yaml: header + "validation:\n  amount: {min: 1, maximum: 5}",
                message: "unknown key 'validation.amount.maximum'; validation.amount takes min, max, ambiguous_separator", line: 5, column: 20),
        Mistake(yaml: header + "validation:\n  columns: {ibn: account_iban}",
                message: "unknown role 'ibn' in validation.columns; did you mean 'iban'?", line: 5, column: 13),
        Mistake(yaml: header + "screening: {cooldown: 7}",
                message: "unknown key 'screening.cooldown'; did you mean 'cooldown_days'?", line: 4, column: 13),
        Mistake(yaml: header + "dedup: {keys: [iban]}",
                message: "unknown key 'dedup.keys'; did you mean 'key'?", line: 4, column: 9),
        Mistake(yaml: "name: demo\nsource:\n  xlsx: {max_column: 10}\ntarget: {table: s.t}\ncolumns: [{name: iban}]",
                message: "unknown key 'source.xlsx.max_column'; did you mean 'max_columns'?", line: 3, column: 10),
        Mistake(yaml: "name: demo\ntarget: {table: s.t}\ncolumns:\n  - name: a\n  - name: b\n  - name: c\n    alias: [x]",
                message: "unknown key 'columns[2].alias'; did you mean 'aliases'?", line: 7, column: 5),
        Mistake(yaml: header + "colour: blue",
                message: "unknown key 'colour'; a pipeline file takes name, source, target, batch_size, columns, validation, dedup, screening, error_budget",
                line: 4, column: 1),
        Mistake(yaml: header + "Error_Budget: {max_rejected_rows: 0}",
                message: "unknown key 'Error_Budget'; did you mean 'error_budget'?", line: 4, column: 1),
    ])
    func unknownKeysAreErrorsWithPathLineAndSuggestion(mistake: Mistake) {
        Self.expect(mistake)
    }

    @Test(arguments: [
        Mistake(yaml: "name: demo\ntarget: {table: s.t, connections: two}\ncolumns: [{name: iban}]",
                message: "target.connections must be a whole number, found 'two'", line: 2, column: 35),
        Mistake(yaml: "name: demo\ntarget: {table: s.t, connections: 1.5}\ncolumns: [{name: iban}]",
                message: "target.connections must be a whole number, found '1.5'", line: 2, column: 35),
        Mistake(yaml: "name: demo\ntarget: {table: s.t, keep_raw: maybe}\ncolumns: [{name: iban}]",
                message: "target.keep_raw must be true or false, found 'maybe'", line: 2, column: 32),
        Mistake(yaml: header + "error_budget:\n  max_rejected_ratio: five percent",
                message: "error_budget.max_rejected_ratio must be a number, found 'five percent'", line: 5, column: 23),
        Mistake(yaml: "name: demo\ntarget: sluice.t\ncolumns: [{name: iban}]",
                message: "target must be a set of keys (table, connections, keep_raw), found 'sluice.t'", line: 2, column: 9),
        Mistake(yaml: "name: demo\ntarget: {table: s.t}\ncolumns: iban",
                message: "columns must be a list, found 'iban'", line: 3, column: 10),
        Mistake(yaml: "name: demo\ntarget: {table: s.t}\ncolumns: [{name: iban, aliases: iban_number}]",
                message: "columns[0].aliases must be a list of text values, found 'iban_number'", line: 3, column: 33),
        Mistake(yaml: "name: demo\ntarget: {table: [s, t]}\ncolumns: [{name: iban}]",
                message: "target.table must be text, found a list", line: 2, column: 17),
        Mistake(yaml: header + "screening: {checks: [iban_blacklist, chargebak]}",
                message: "screening.checks[1]: 'chargebak' is not a check; did you mean 'chargeback'?", line: 4, column: 38),
        Mistake(yaml: header + "dedup: {key: {iban: true}}",
                message: "dedup.key must be text or a list of text values, found a set of keys", line: 4, column: 14),
        Mistake(yaml: header + "batch_size:\n  - 10",
                message: "batch_size must be a whole number, found a list", line: 5, column: 3),
        Mistake(yaml: "target: {table: s.t}\ncolumns: [{name: iban}]",
                message: "missing key 'name'", line: 1, column: 1),
        // The decoders' own checks keep their place in the file too.
        Mistake(yaml: header + "validation:\n  currencies: [EURO]",
                message: "validation.currencies: currencies must list ISO 4217 codes such as EUR", line: 5, column: 15),
        Mistake(yaml: header + "screening: {cooldown_days: 9999}",
                message: "screening.cooldown_days: cooldown_days must be between 0 and 3650", line: 4, column: 28),
        Mistake(yaml: "name: demo\ntarget: {tabel: s.t}\ncolumns: [{name: iban}]",
                message: "unknown key 'target.tabel'; did you mean 'table'?", line: 2, column: 10),
    ])
    func wrongTypesAreSaidInPlainWords(mistake: Mistake) {
        Self.expect(mistake)
    }

    static let longColumn = String(repeating: "c", count: 64)
    static let longTable = String(repeating: "t", count: 70)

    @Test(arguments: [
        Mistake(yaml: "name: demo\ntarget: {table: s.t}\ncolumns:\n  - name: iban\n  - name: \(longColumn)",
                message: "columns[1].name: column name 'cccccccccccccccccccccccc…' is 64 bytes; PostgreSQL names are at most 63",
                line: 5, column: 11),
        Mistake(yaml: "name: demo\ntarget: {table: s.t}\ncolumns: [{name: e-mail}]",
                message: "columns[0].name: column name 'e-mail' contains '-'; names are ASCII letters, digits and _", line: 3, column: 18),
        Mistake(yaml: "name: demo\ntarget: {table: s.t}\ncolumns: [{name: 1st}]",
                message: "column name '1st' starts with a digit", line: 3, column: 18),
        Mistake(yaml: "name: demo\ntarget: {table: s.t}\ncolumns: [{name: iban}, {name: IBAN}]",
                message: "columns[1].name: column 'iban' is listed twice", line: 3, column: 32),
        Mistake(yaml: "name: demo\ntarget:\n  table: sluice.\(longTable)\ncolumns: [{name: iban}]",
                message: "target.table: table name 'tttttttttttttttttttttttt…' is 70 bytes; PostgreSQL names are at most 63", line: 3, column: 10),
        Mistake(yaml: "name: demo\ntarget:\n  table: \(longTable)\ncolumns: [{name: iban}]",
                message: "is 70 bytes; PostgreSQL names are at most 63", line: 3, column: 10),
        Mistake(yaml: "name: demo\ntarget:\n  table: .debtors\ncolumns: [{name: iban}]",
                message: "target.table: table name '.debtors' has no schema before the dot; write schema.table", line: 3, column: 10),
        Mistake(yaml: "name: demo\ntarget:\n  table: a.b.c\ncolumns: [{name: iban}]",
                message: "table name 'a.b.c' has 2 dots; write schema.table with one dot", line: 3, column: 10),
        Mistake(yaml: "name: demo\ntarget:\n  table: 'a;drop'\ncolumns: [{name: iban}]",
                message: "target.table: table name 'a;drop' contains ';'", line: 3, column: 10),
        Mistake(yaml: "name: demo\ntarget:\n  table: sales.my debtors\ncolumns: [{name: iban}]",
                message: "target.table: table name 'my debtors' contains a space", line: 3, column: 10),
        Mistake(yaml: "name: demo\ntarget:\n  table: sales.débiteurs\ncolumns: [{name: iban}]",
                message: "target.table: table name 'débiteurs' contains 'é'", line: 3, column: 10),
    ])
    func namesSayWhatPostgreSQLRefuses(mistake: Mistake) {
        Self.expect(mistake)
    }

    @Test func a63ByteColumnNameIsFine() throws {
        let name = String(repeating: "c", count: 63)
        let spec = try Self.parse("name: demo\ntarget: {table: s.t}\ncolumns: [{name: \(name)}]")
        #expect(spec.columns.map(\.name) == [name])
    }

    @Test func unquotedNamesFoldToLowerCaseAsPostgreSQLDoes() throws {
        let spec = try Self.parse("""
            name: demo
            target: {table: RedTeam.T}
            columns: [{name: IBAN}, {name: Amount}]
            dedup: {key: [Iban]}
            validation: {columns: {amount: AMOUNT}, encoding_columns: [IBAN]}
            """)
        #expect(spec.target.description == "redteam.t", "not a second, quoted table \"T\" beside t")
        #expect(spec.target.quoted == #""redteam"."t""#)
        #expect(spec.columns.map(\.name) == ["iban", "amount"])
        #expect(spec.dedupKey == ["iban"])
        #expect(spec.validation.columnNames[.amount] == "amount")
        #expect(spec.validation.encodingColumns == ["iban"])
    }

    @Test(arguments: [
        // An unclosed flow sequence: the message keeps where the sequence opened.
        ("name: demo\ntarget: {table: a.b}\ncolumns: [{name: x}\n", "line 3, column 10"),
        // A tab where YAML wants spaces.
        ("name: demo\ntarget:\n\ttable: a.b\ncolumns: [{name: x}]\n", "line 3, column 1: invalid YAML: a tab indents this line; YAML indents with spaces"),
        ("name: demo\ntarget: {table: a.b}\ncolumns: [{name: x}]\n  bad: indent\n", "invalid YAML"),
        ("name: demo\nname: again\ntarget: {table: a.b}\ncolumns: [{name: x}]\n", "line 1, column 1: key 'name' appears twice in the same section (first here)"),
    ])
    func yamlSyntaxErrorsKeepTheirLineAndColumn(yaml: String, expected: String) {
        #expect {
            try Self.parse(yaml)
        } throws: { error in
            guard let error = error as? SluiceError else { return false }
            return error.description.contains(expected) && error.line != nil && error.column != nil && !error.reason.contains("\n")
        }
    }

    @Test func anEmptyFileSaysSo() {
        #expect { try Self.parse("# nothing yet\n") } throws: { "\($0)".contains("the pipeline file is empty") }
    }

    @Test func mergeKeysAreCheckedLikeTheirTarget() throws {
        let yaml = """
            name: demo
            defaults: &defaults {connections: 3}
            target: {<<: *defaults, table: s.t}
            columns: [{name: iban}]
            """
        #expect { try Self.parse(yaml) } throws: { "\($0)".contains("unknown key 'defaults'") }
        let merged = try Self.parse("""
            name: demo
            target:
              <<: {connections: 3}
              table: s.t
            columns: [{name: iban}]
            """)
        #expect(merged.sinkConnections == 3)
        #expect { try Self.parse("name: demo\ntarget: {<<: {conections: 3}, table: s.t}\ncolumns: [{name: iban}]") } throws: {
            "\($0)".contains("unknown key 'target.conections'; did you mean 'connections'?")
        }
    }

    // MARK: - Reading the file

    func temporaryFile(_ bytes: [UInt8]) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-\(UUID().uuidString).yaml").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    func loadError(_ path: String) -> SluiceError? {
        do {
            _ = try PipelineSpec.load(path: path)
            return nil
        } catch {
            return error as? SluiceError
        }
    }

    @Test func aMissingFileIsNamedInOneLine() throws {
        let error = try #require(loadError("/nonexistent/debtors.yaml"))
        #expect(error.description == "pipeline file not found: /nonexistent/debtors.yaml [invalid_pipeline]")
        #expect(error.underlying == nil, "the CLI prints no cause: line after it")
    }

    @Test func aDirectoryIsNotAPipelineFile() throws {
        let error = try #require(loadError(FileManager.default.temporaryDirectory.path))
        #expect(error.reason.hasSuffix("is a directory, not a file"))
    }

    @Test(.enabled(if: getuid() != 0, "root reads any file"))
    func anUnreadableFileSaysPermissionDenied() throws {
        let path = try temporaryFile(Array("name: demo\n".utf8))
        defer { try? FileManager.default.removeItem(atPath: path) }
        try FileManager.default.setAttributes([.posixPermissions: 0], ofItemAtPath: path)
        let error = try #require(loadError(path))
        #expect(error.description == "cannot read pipeline file \(path): permission denied [invalid_pipeline]")
        #expect(error.underlying == nil)
    }

    @Test func aFileThatIsNotUTF8IsRefusedAtItsFirstBadByte() throws {
        // "débiteurs" in Windows-1252: é is the single byte 0xE9.
        let path = try temporaryFile(Array("name: demo\n# d".utf8) + [0xE9] + Array("biteurs\n".utf8))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let error = try #require(loadError(path))
        #expect(error.reason == "the pipeline file is not UTF-8 text (byte 0xE9); save it as UTF-8")
        #expect(error.object == path)
        #expect(error.line == 2)
        #expect(error.column == "4")
    }

    // MARK: - Files that must still parse

    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    @Test func theShippedPipelineFileHasNoUnknownKeys() throws {
        let path = Self.repositoryRoot.appendingPathComponent("pipelines/debtors.yaml").path
        let root = try #require(try compose(yaml: try String(contentsOfFile: path, encoding: .utf8)))
        #expect(PipelineDocument.schema.problems(in: root).map(\.message) == [])
        #expect(try PipelineSpec.load(path: path).name == "debtors")
    }

    /// The YAML examples of docs/pipelines.md use only keys the schema knows. Each is a part
    /// of a file, so the keys it leaves out are fine; its `${VAR:-default}` take their defaults.
    @Test func theDocumentedExamplesUseOnlyKnownKeys() throws {
        let markdown = try String(contentsOf: Self.repositoryRoot.appendingPathComponent("docs/pipelines.md"), encoding: .utf8)
        let blocks = markdown.components(separatedBy: "```yaml\n").dropFirst().map { $0.components(separatedBy: "```")[0] }
        #expect(blocks.count >= 3)
        for block in blocks {
            guard let node = try compose(yaml: block) else { continue }
            var unset: [SpecProblem] = [], written: [SpecPath: PipelineTree.Written] = [:]
            let root = EnvironmentInterpolation(environment: [:]).interpolate(node, text: block, file: nil, problems: &unset, written: &written)
            let problems = PipelineDocument.schema.problems(in: root).filter { !$0.message.hasPrefix("missing key") }
            if block.contains("keep_rwa") {
                #expect(problems.map(\.message) == ["unknown key 'target.keep_rwa'; did you mean 'keep_raw'?"], "the example of a mistake")
            } else {
                #expect(problems.map(\.message) == [], "\(block)")
            }
        }
    }
}
