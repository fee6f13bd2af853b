import Foundation
import SluiceCore
import Testing

@testable import SluicePipeline

/// `include:`: a pipeline file built on shared ones, by the merge rules of `docs/pipelines.md`.
struct PipelineIncludeTests {
    /// A fresh folder with `files` (relative paths, subfolders made as needed); its path.
    static func folder(_ files: [String: String]) throws -> String {
        let folder = NSTemporaryDirectory() + "sluice-include-\(UUID().uuidString.prefix(8))"
        for (name, text) in files {
            let path = folder + "/" + name
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        }
        return folder
    }

    static func load(_ files: [String: String], main: String = "main.yaml", environment: [String: String] = [:]) throws -> PipelineSpec {
        try PipelineSpec.load(path: try folder(files) + "/" + main, environment: environment)
    }

    static func lint(_ files: [String: String], main: String = "main.yaml") throws -> (lint: PipelineLint, folder: String) {
        let folder = try folder(files)
        return (PipelineSpec.lint(path: folder + "/" + main, environment: [:]), folder)
    }

    static let shared = """
        target: {table: sales.debtors, connections: 4}
        batch_size: 500
        columns:
          - {name: iban, aliases: [account, konto], required: true}
          - {name: amount, aliases: [betrag]}
          - {name: email}
        validation:
          currencies: [EUR, CHF]
          amount: {min: 1, max: 100}
        """

    @Test func sectionsMergeKeyByKeyAndTheIncludingFileWins() throws {
        let spec = try Self.load([
            "shared.yaml": Self.shared,
            "main.yaml": "include: shared.yaml\nname: demo\ntarget: {keep_raw: false}\nvalidation:\n  amount: {max: 50}\n",
        ])
        #expect(spec.target.description == "sales.debtors")
        #expect(spec.sinkConnections == 4, "kept from the included file")
        #expect(!spec.keepRaw, "added by the including file")
        #expect(spec.batchSize == 500)
        #expect(spec.validation.minimumAmountCents == 100, "amount.min kept: sections merge at every depth")
        #expect(spec.validation.maximumAmountCents == 5000, "amount.max from the including file")
        #expect(spec.validation.currencies == ["EUR", "CHF"])
    }

    @Test func listsAndValuesAreReplacedWhole() throws {
        let spec = try Self.load([
            "shared.yaml": Self.shared,
            "main.yaml": "include: shared.yaml\nname: demo\nbatch_size: 2000\nvalidation:\n  currencies: [USD]\n",
        ])
        #expect(spec.batchSize == 2000)
        #expect(spec.validation.currencies == ["USD"], "a list is replaced, not appended to")
    }

    @Test func anEmptyKeyTakesSluicesDefaultAgain() throws {
        let spec = try Self.load(["shared.yaml": Self.shared, "main.yaml": "include: shared.yaml\nname: demo\nbatch_size:\n"])
        #expect(spec.batchSize == PipelineSpec.defaultBatchSize)
    }

    @Test func withoutColumnsOfItsOwnAFileHasTheIncludedColumns() throws {
        let spec = try Self.load(["shared.yaml": Self.shared, "main.yaml": "include: shared.yaml\nname: demo\n"])
        #expect(spec.columns.map(\.name) == ["iban", "amount", "email"])
        #expect(spec.columns[0] == ColumnSpec(name: "iban", aliases: ["account", "konto"], required: true))
    }

    @Test func columnsAreTheIncludingFilesEachMergedByName() throws {
        let spec = try Self.load([
            "shared.yaml": Self.shared,
            "main.yaml": """
                include: shared.yaml
                name: demo
                columns:
                  - {name: Amount, aliases: [summe, betrag], required: true}
                  - {name: iban}
                  - {name: reference}
                """,
        ])
        #expect(spec.columns.map(\.name) == ["amount", "iban", "reference"], "exactly its columns, in its order")
        #expect(spec.columns[0].aliases == ["summe", "betrag"], "aliases are the union, its own first")
        #expect(spec.columns[0].required, "its own keys win")
        #expect(spec.columns[1] == ColumnSpec(name: "iban", aliases: ["account", "konto"], required: true), "the included column as defaults")
        #expect(spec.columns[2] == ColumnSpec(name: "reference"))
    }

    @Test func aLaterIncludeWinsOverAnEarlierOneAndIncludesNest() throws {
        let spec = try Self.load([
            "teams/base.yaml": "batch_size: 100\ntarget: {table: s.base}\n",
            "teams/finance.yaml": "include: base.yaml\nbatch_size: 200\ncolumns: [{name: iban}]\n",
            "local.yaml": "batch_size: 300\n",
            "main.yaml": "include: [teams/finance.yaml, local.yaml]\nname: demo\n",
        ])
        #expect(spec.batchSize == 300)
        #expect(spec.target.description == "s.base", "finance.yaml's own include is found beside it")
        #expect(spec.columns.map(\.name) == ["iban"])
    }

    @Test func includePathsTakeVariables() throws {
        let spec = try Self.load(
            ["teams/finance.yaml": "columns: [{name: iban}]\ntarget: {table: s.t}\n", "main.yaml": "include: ${TEAM_DEFAULTS}\nname: demo\n"],
            environment: ["TEAM_DEFAULTS": "teams/finance.yaml"])
        #expect(spec.columns.map(\.name) == ["iban"])
    }

    @Test func aCycleIsAnErrorNamingTheChain() throws {
        let (lint, folder) = try Self.lint([
            "a.yaml": "include: b.yaml\ncolumns: [{name: iban}]\n",
            "b.yaml": "include: a.yaml\n",
            "main.yaml": "name: demo\ninclude: a.yaml\ntarget: {table: s.t}\n",
        ])
        #expect(lint.problems.map(\.lintLine) == [
            "\(folder)/b.yaml:1:10: error: include: including a.yaml again makes a cycle (main.yaml → a.yaml → b.yaml → a.yaml)"
        ])
    }

    @Test func aMissingIncludedFileIsSaidWhereItIsNamed() throws {
        let (lint, folder) = try Self.lint(["main.yaml": "name: demo\ntarget: {table: s.t}\ncolumns: [{name: iban}]\ninclude: [x.yaml, missing.yaml]\n",
                                            "x.yaml": "batch_size: 100\n"])
        #expect(lint.problems.map(\.lintLine) == ["\(folder)/main.yaml:4:19: error: include[1]: included file not found: \(folder)/missing.yaml"])
    }

    @Test func includeMustNamePaths() throws {
        let (lint, folder) = try Self.lint(["main.yaml": "name: demo\ntarget: {table: s.t}\ncolumns: [{name: iban}]\ninclude: {file: x.yaml}\n"])
        #expect(lint.problems.map(\.lintLine) == ["\(folder)/main.yaml:4:10: error: include must be a file path or a list of them, found a set of keys"])
    }

    @Test func aProblemInAnIncludedFileIsSaidInThatFile() throws {
        let (lint, folder) = try Self.lint([
            "shared/defaults.yaml": "# shared by the team\ntarget:\n  connections: 99\ncolumns:\n  - {name: iban, aliases: [account]}\n  - {name: e-mail}\n",
            "main.yaml": "include: shared/defaults.yaml\nname: demo\ntarget: {table: s.t}\n",
        ])
        #expect(lint.problemsInFileOrder.map(\.lintLine) == [
            "\(folder)/shared/defaults.yaml:3:16: error: target.connections must be between 1 and 8",
            "\(folder)/shared/defaults.yaml:6:12: error: columns[1].name: column name 'e-mail' contains '-'; names are ASCII letters, digits and _",
        ])
    }

    @Test func anIncludedFileIsHeldToTheSchemaOnceButNeedsNoRequiredKey() throws {
        let (lint, folder) = try Self.lint([
            "shared.yaml": "batch_size: 100\nerror_budget: {max_rejected_row: 3}\n",
            "main.yaml": "include: shared.yaml\nname: demo\ntarget: {table: s.t}\ncolumns: [{name: iban}]\n",
        ])
        #expect(lint.problems.map(\.lintLine) == [
            "\(folder)/shared.yaml:2:16: error: unknown key 'error_budget.max_rejected_row'; did you mean 'max_rejected_rows'?"
        ])
    }

    @Test func aMissingKeyIsSaidInThePipelineFile() throws {
        let (lint, folder) = try Self.lint(["shared.yaml": "columns: [{name: iban}]\n", "main.yaml": "include: shared.yaml\nname: demo\n"])
        #expect(lint.problems.map(\.lintLine) == ["\(folder)/main.yaml:1:1: error: missing key 'target'"])
    }

    @Test func anIncludedFileMustBeASetOfKeys() throws {
        let (lint, folder) = try Self.lint(["list.yaml": "- a\n- b\n", "main.yaml": "include: list.yaml\nname: demo\ntarget: {table: s.t}\ncolumns: [{name: iban}]\n"])
        #expect(lint.problems.map(\.lintLine) == ["\(folder)/list.yaml:1:1: error: an included file must be a set of keys, as a pipeline file is; found a list"])
    }
}
