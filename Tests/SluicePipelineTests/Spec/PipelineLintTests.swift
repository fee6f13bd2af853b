import Foundation
import SluiceCore
import Testing

@testable import SluicePipeline

/// Issue 15: `sluice lint` says every problem of a pipeline file, each at its exact line and
/// column, with a "did you mean" where one is close.
struct PipelineLintTests {
    /// A small broken file and the one problem it has.
    struct Broken: Sendable, CustomTestStringConvertible {
        var kind: String
        var yaml: String
        var severity: SpecProblem.Severity = .error
        var line: Int
        var column: Int
        var message: String
        var testDescription: String { kind }
    }

    /// A valid start: lines 1 to 3.
    static let header = "name: demo\ntarget: {table: s.t}\ncolumns: [{name: iban}, {name: amount}, {name: name}]\n"

    static func lint(_ yaml: String, environment: [String: String] = [:]) -> PipelineLint {
        PipelineSpec.lint(yaml: yaml, path: "pipelines/bad.yaml", environment: environment)
    }

    static let broken: [Broken] = [
        Broken(kind: "unknown key", yaml: header + "error_budget: {max_rejected_row: 0}", line: 4, column: 16,
               message: "unknown key 'error_budget.max_rejected_row'; did you mean 'max_rejected_rows'?"),
        Broken(kind: "unknown section", yaml: header + "screenin:\n  enabled: false", line: 4, column: 1,
               message: "unknown key 'screenin'; did you mean 'screening'?"),
        Broken(kind: "unknown enum value", yaml: header + "screening: {checks: [chargebak]}", line: 4, column: 22,
               message: "screening.checks[0]: 'chargebak' is not a check; did you mean 'chargeback'?"),
        Broken(kind: "unknown source format", yaml: header + "source: {format: xslx}", line: 4, column: 18,
               message: "source.format 'xslx' must be auto, csv or xlsx; did you mean 'xlsx'?"),
        Broken(kind: "wrong kind of value", yaml: "name: demo\ntarget: {table: s.t, connections: two}\ncolumns: [{name: iban}]", line: 2, column: 35,
               message: "target.connections must be a whole number, found 'two'"),
        Broken(kind: "missing required key", yaml: "name: demo\ncolumns: [{name: iban}]", line: 1, column: 1,
               message: "missing key 'target'"),
        Broken(kind: "YAML syntax", yaml: header + "batch_size: [1, 2\n", line: 5, column: 1,
               message: "invalid YAML: did not find expected ',' or ']'"),
        Broken(kind: "tab indentation", yaml: "name: demo\ntarget:\n\ttable: s.t\ncolumns: [{name: iban}]", line: 3, column: 1,
               message: "invalid YAML: a tab indents this line; YAML indents with spaces"),
        Broken(kind: "duplicate column", yaml: "name: demo\ntarget: {table: s.t}\ncolumns: [{name: iban}, {name: IBAN}]", line: 3, column: 32,
               message: "columns[1].name: column 'iban' is listed twice"),
        Broken(kind: "reserved column", yaml: "name: demo\ntarget: {table: s.t}\ncolumns: [{name: iban}, {name: raw}]", line: 3, column: 32,
               message: "columns[1].name: column name 'raw' is reserved"),
        Broken(kind: "dedup key naming no column", yaml: header + "dedup: {key: [iban, amout]}", line: 4, column: 14,
               message: "dedup.key column 'amout' is not one of the pipeline's columns; did you mean 'amount'?"),
        Broken(kind: "validation role naming no column", yaml: header + "validation:\n  columns: {email: mail}", line: 5, column: 20,
               message: "validation.columns.email names 'mail', which is not one of the pipeline's columns"),
        Broken(kind: "misspelt column type", yaml: "name: demo\ntarget: {table: s.t}\ncolumns:\n  - name: amount\n    type: numric(12,2)", line: 5, column: 11,
               message: "columns[0].type: 'numric(12,2)' is not a column type; did you mean 'numeric(12,2)'?"),
        Broken(kind: "numeric scale out of range", yaml: "name: demo\ntarget: {table: s.t}\ncolumns:\n  - name: amount\n    type: numeric(4,6)", line: 5,
               column: 11, message: "columns[0].type: 'numeric(4,6)': numeric(p,s) takes a precision p of 1 to 1000 and a scale s of 0 to p"),
        Broken(kind: "role on a column that cannot hold it", yaml: "name: demo\ntarget: {table: s.t}\ncolumns:\n  - name: amount\n    type: date",
               line: 5, column: 11,
               message: "columns[0].type: column 'amount' is validated as amount, which a column of type date cannot hold; amount takes text or numeric or integer"),
        Broken(kind: "role mapped to a column that cannot hold it",
               yaml: "name: demo\ntarget: {table: s.t}\ncolumns: [{name: account, type: email}]\nvalidation:\n  columns: {iban: account}", line: 5, column: 19,
               message: "validation.columns.iban: column 'account' is validated as iban, which a column of type email cannot hold; iban takes text or iban"),
        Broken(kind: "unset variable", yaml: header + "source:\n  input: s3://${BUCKET}/in.csv", line: 5, column: 15,
               message: "environment variable BUCKET is not set and has no default"),
        Broken(kind: "budget ratio outside 0-1", yaml: header + "error_budget: {max_rejected_ratio: 5}", line: 4, column: 36,
               message: "error_budget.max_rejected_ratio must be between 0 and 1"),
        Broken(kind: "connections out of range", yaml: "name: demo\ntarget: {table: s.t, connections: 9}\ncolumns: [{name: iban}]", line: 2, column: 35,
               message: "target.connections must be between 1 and 8"),
        Broken(kind: "table name", yaml: "name: demo\ntarget: {table: 'a;drop'}\ncolumns: [{name: iban}]", line: 2, column: 17,
               message: "target.table: table name 'a;drop' contains ';'"),
        Broken(kind: "Sluice's own table", yaml: "name: demo\ntarget: {table: sluice.runs}\ncolumns: [{name: iban}]", line: 2, column: 17,
               message: "target.table: sluice.runs is one of Sluice's own tables"),
        Broken(kind: "require_vop without vop", yaml: header + "billing: {terminal: t1, require_vop: true}", line: 4, column: 38,
               message: "billing.require_vop is true but the pipeline has no vop: section"),
        Broken(kind: "billing currency not validated", yaml: header + "billing: {terminal: t1, currency: USD}", line: 4, column: 35,
               message: "billing.currency USD is not among validation.currencies (EUR)"),
        Broken(kind: "watch bucket", yaml: header + "watch: [{bucket: my bucket}]", line: 4, column: 18,
               message: "watch[0].bucket 'my bucket' is not an S3 bucket name"),
        Broken(kind: "VOP setting out of range", yaml: header + "vop:\n  max_in_flight: 0", line: 5, column: 18,
               message: "vop.max_in_flight must be between 1 and 256"),
        Broken(kind: "included file missing", yaml: header + "include: shared/nothere.yaml", line: 4, column: 10,
               message: "include: included file not found: pipelines/shared/nothere.yaml"),
        // Warnings: settings that work, but probably not as meant.
        Broken(kind: "small batches", yaml: header + "batch_size: 50", severity: .warning, line: 4, column: 13,
               message: "batch_size 50 commits a transaction every 50 rows, which is slow"),
        Broken(kind: "alias of two columns", yaml: "name: demo\ntarget: {table: s.t}\ncolumns:\n  - {name: iban, aliases: [account]}\n  - {name: amount, aliases: [Account]}",
               severity: .warning, line: 5, column: 30,
               message: "columns[1].aliases[0]: alias 'Account' is also an alias of column 'iban'; a header 'Account' goes to 'iban', listed first"),
        Broken(kind: "alias that is a column's name", yaml: "name: demo\ntarget: {table: s.t}\ncolumns:\n  - {name: iban, aliases: [amount]}\n  - {name: amount}",
               severity: .warning, line: 4, column: 28,
               message: "columns[0].aliases[0]: alias 'amount' is the name of column 'amount'; a header 'amount' goes to 'iban', listed first"),
        Broken(kind: "encoding check of no column", yaml: header + "validation:\n  encoding_columns: [adress]", severity: .warning, line: 5, column: 22,
               message: "validation.encoding_columns[0]: 'adress' is not one of the pipeline's columns, so it is never checked"),
        Broken(kind: "required role without column", yaml: header + "validation:\n  required: [iban, email]", severity: .warning, line: 5, column: 20,
               message: "validation.required[1]: role 'email' is required but the pipeline has no 'email' column"),
        Broken(kind: "dedup key while dedup is off", yaml: header + "dedup: {enabled: false, key: iban}", severity: .warning, line: 4, column: 30,
               message: "dedup.key has no effect: dedup.enabled is false"),
        Broken(kind: "screening settings while screening is off", yaml: header + "screening:\n  enabled: false\n  cooldown_days: 7", severity: .warning,
               line: 5, column: 12, message: "screening is off (screening.enabled: false), so its checks and cooldown_days have no effect"),
        Broken(kind: "sheet of a CSV file", yaml: header + "source: {format: csv, sheet: 2}", severity: .warning, line: 4, column: 30,
               message: "source.sheet is for XLSX workbooks; this pipeline reads CSV"),
        Broken(kind: "delimiter of an XLSX file", yaml: header + "source: {format: xlsx, delimiter: ';'}", severity: .warning, line: 4, column: 35,
               message: "source.delimiter is for CSV files; this pipeline reads XLSX"),
    ]

    @Test(arguments: broken)
    func eachMistakeIsSaidOnceAtItsLineAndColumn(broken: Broken) throws {
        let lint = Self.lint(broken.yaml)
        #expect(lint.problems.count == 1, "\(lint.problems.map(\.lintLine))")
        let problem = try #require(lint.problems.first)
        #expect(problem.severity == broken.severity)
        #expect(problem.message.contains(broken.message), "\(problem.message)")
        #expect(problem.line == broken.line && problem.column == broken.column, "at \(problem.line ?? 0):\(problem.column ?? 0)")
        #expect(problem.file == "pipelines/bad.yaml")
        #expect((lint.spec == nil) == (broken.severity == .error), "a warning does not stop the pipeline, an error does")
    }

    @Test func everyProblemOfAFileIsFoundInOnePass() throws {
        let yaml = """
            name: demo
            target: {table: s.t, connections: 9}
            batch_size: 10
            columns:
              - name: iban
              - name: amount
                type: interger
              - name: IBAN
              - name: name
            dedup: {key: [iban, amout]}
            error_budget: {max_rejected_ratio: 1.5, max_rejected_row: 3}
            validation:
              currencies: [EURO]
              columns: {email: mail}
            vop:
              max_in_flight: 0
              burst: 0
            watch: [{bucket: my bucket}]
            """
        let lint = Self.lint(yaml)
        let found = lint.problemsInFileOrder.map { "\($0.line ?? 0):\($0.column ?? 0) \($0.severity.rawValue) \($0.key)" }
        #expect(found == [
            "2:35 error target.connections",
            "3:13 warning batch_size",
            "7:11 error columns[1].type",
            "8:11 error columns[2].name",
            "10:14 error dedup.key",
            "11:36 error error_budget.max_rejected_ratio",
            "11:41 error error_budget.max_rejected_row",
            "13:15 error validation.currencies",
            "14:20 error validation.columns.email",
            "16:18 error vop.max_in_flight",
            "17:10 error vop.burst",
            "18:18 error watch[0].bucket",
        ], "\(lint.problemsInFileOrder.map(\.lintLine).joined(separator: "\n"))")
        #expect(lint.spec == nil)
        #expect(lint.errors.count == 11 && lint.warnings.count == 1)
    }

    @Test func parseThrowsTheFirstErrorAndListsThemAll() throws {
        let yaml = Self.header + "batch_size: 0\nerror_budget: {max_rejected_ratio: 2}\n"
        #expect {
            try PipelineSpec.parse(yaml: yaml, path: "pipelines/bad.yaml", environment: [:])
        } throws: { error in
            guard let error = error as? SluiceError else { return false }
            return error.code == .invalidPipeline && error.object == "pipelines/bad.yaml" && error.line == 4 && error.column == "13"
                && error.reason.hasPrefix("2 errors:\n")
                && error.reason.contains("pipelines/bad.yaml:4:13: error: batch_size must be between 1 and 1000000")
                && error.reason.contains("pipelines/bad.yaml:5:36: error: error_budget.max_rejected_ratio must be between 0 and 1")
        }
    }

    @Test func warningsDoNotStopAPipelineAndLoadHandsThemOver() throws {
        let folder = try PipelineIncludeTests.folder(["warned.yaml": Self.header + "batch_size: 50\n"])
        var warnings: [SpecProblem] = []
        let spec = try PipelineSpec.load(path: folder + "/warned.yaml", environment: [:]) { warnings.append($0) }
        #expect(spec.batchSize == 50)
        #expect(warnings.map(\.lintLine) == [folder + "/warned.yaml:4:13: warning: batch_size 50 commits a transaction every 50 rows, which is slow; 1000 or more is usual"])
    }

    @Test func aFileThatCannotBeReadIsOneProblemWithoutALine() {
        let lint = PipelineSpec.lint(path: "/nonexistent/debtors.yaml", environment: [:])
        #expect(lint.problems.map(\.lintLine) == ["/nonexistent/debtors.yaml: error: pipeline file not found: /nonexistent/debtors.yaml"])
    }

    /// The tables a pipeline may not load into are exactly the ones Sluice's migrations create.
    @Test func sluiceOwnTablesAreTheMigrationsTables() throws {
        let migrator = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../Sources/SluicePostgres/Migrations/Migrator.swift")
        let text = try String(contentsOf: migrator, encoding: .utf8)
        let created = text.matches(of: /CREATE TABLE IF NOT EXISTS sluice\.([a-z_]+)/).map { String($0.output.1) }
        #expect(!created.isEmpty)
        #expect(Set(created) == PipelineDocument.sluiceTables)
    }

    @Test(arguments: [
        ("interger", "did you mean 'integer'?"),
        ("numric(12,2)", "did you mean 'numeric(12,2)'?"),
        ("boolen", "did you mean 'boolean'?"),
        ("numeric(0)", "numeric(p,s) takes a precision p of 1 to 1000"),
        ("money", "types are text, integer, numeric"),
    ])
    func columnTypesSayWhatWasMeant(declared: String, expected: String) {
        #expect(PipelineDocument.typeProblem(declared).contains(expected), "\(PipelineDocument.typeProblem(declared))")
    }
}
