import SluiceCore
import Testing

@testable import SluicePipeline

/// `${VAR}` and `${VAR:-default}` in pipeline values.
struct EnvironmentInterpolationTests {
    static let environment = ["BUCKET": "drops", "EMPTY": "", "BATCH": "500", "CONNECTIONS": "two"]

    @Test(arguments: [
        ("s3://${BUCKET}/in.csv", "s3://drops/in.csv"),
        ("${MISSING:-sluice}", "sluice"),
        ("${BUCKET:-other}", "drops"),
        ("${EMPTY:-fallback}", "fallback"),
        ("${EMPTY}", ""),
        ("${MISSING:-}", ""),
        ("a $$ sign, $${BUCKET} and $5", "a $ sign, ${BUCKET} and $5"),
        ("no variables", "no variables"),
        ("${BUCKET}${BATCH}", "drops500"),
    ])
    func valuesAreExpanded(value: String, expected: String) {
        let (expanded, problems) = EnvironmentInterpolation(environment: Self.environment).expand(value)
        #expect(problems.isEmpty)
        #expect(expanded == expected)
    }

    @Test(arguments: [
        ("in/${MISSING}.csv", 3, "environment variable MISSING is not set and has no default; set it, or write ${MISSING:-default}"),
        ("${BUCKET", 0, "'${' is not closed"),
        ("${1ST}", 0, "'1ST' is not a variable name"),
        ("${}", 0, "'${}' names no variable"),
        ("${BUCKET-x}", 0, "only ${NAME} and ${NAME:-default} are understood"),
        ("${SLUICE_GENESIS_PASSWORD}", 0, "${SLUICE_GENESIS_PASSWORD} is a credential"),
        ("${DB_PASSWORD:-x}", 0, "${DB_PASSWORD} is a credential"),
    ])
    func mistakesAreSaidAtTheirDollar(value: String, offset: Int, message: String) {
        let (_, problems) = EnvironmentInterpolation(environment: Self.environment).expand(value)
        #expect(problems.count == 1)
        #expect(problems.first?.offset == offset)
        #expect(problems.first?.message.contains(message) == true, "\(problems)")
    }

    static let pipeline = "name: demo\ntarget: {table: s.t}\ncolumns: [{name: iban}]\n"

    @Test func aVariableGivesAValueOfItsKeysType() throws {
        // In a flow section (`{…}`, `[…]`) a value with `${…}` is quoted: `}` would end the section.
        let yaml = "name: demo\ntarget: {table: s.t, keep_raw: '${KEEP_RAW:-false}'}\ncolumns: [{name: iban}]\nbatch_size: ${BATCH:-8192}\n"
        #expect(try PipelineSpec.parse(yaml: yaml, environment: [:]).batchSize == 8192)
        let spec = try PipelineSpec.parse(yaml: yaml, environment: ["BATCH": "500", "KEEP_RAW": "true"])
        #expect(spec.batchSize == 500)
        #expect(spec.keepRaw)
        #expect(try !PipelineSpec.parse(yaml: yaml, environment: [:]).keepRaw)
    }

    @Test func anEmptyResultIsAnEmptyKey() throws {
        let spec = try PipelineSpec.parse(yaml: Self.pipeline + "batch_size: ${BATCH:-}\n", environment: [:])
        #expect(spec.batchSize == PipelineSpec.defaultBatchSize)
    }

    @Test func anUnsetVariableIsAnErrorAtItsDollarAndOnlyThere() throws {
        let lint = PipelineSpec.lint(yaml: Self.pipeline + "batch_size: ${BATCH}\nsource:\n  input: \"s3://${IN_BUCKET}/x.csv\"\n", path: "p.yaml", environment: [:])
        #expect(lint.problems.map(\.lintLine) == [
            "p.yaml:4:13: error: environment variable BATCH is not set and has no default; set it, or write ${BATCH:-default}",
            "p.yaml:6:16: error: environment variable IN_BUCKET is not set and has no default; set it, or write ${IN_BUCKET:-default}",
        ])
    }

    @Test func aMessageShowsTheVariableNeverItsValue() throws {
        let secret = "hunter2-not-a-number"
        let lint = PipelineSpec.lint(
            yaml: "name: demo\ntarget:\n  table: s.t\n  connections: ${CONNECTIONS}\ncolumns: [{name: iban}]\n", path: "p.yaml",
            environment: ["CONNECTIONS": secret])
        #expect(lint.problems.map(\.lintLine) == ["p.yaml:4:16: error: target.connections must be a whole number, found '${CONNECTIONS}'"])
        #expect(!(lint.error?.description.contains(secret) ?? true))
    }

    @Test func keysAreNotInterpolated() throws {
        let lint = PipelineSpec.lint(yaml: Self.pipeline + "${BATCH}: 1\n", environment: ["BATCH": "batch_size"])
        #expect(lint.problems.first?.message.hasPrefix("unknown key '${BATCH}'") == true, "\(lint.problems)")
    }

    @Test func credentialsAreRefusedAndNeverRead() throws {
        let lint = PipelineSpec.lint(
            yaml: Self.pipeline + "billing: {terminal: t1, usage: \"${SLUICE_GENESIS_PASSWORD}\"}\n", path: "p.yaml",
            environment: ["SLUICE_GENESIS_PASSWORD": "s3cret"])
        #expect(lint.errors.count == 1)
        #expect(lint.errors.first?.lintLine.hasPrefix("p.yaml:4:33: error: ${SLUICE_GENESIS_PASSWORD} is a credential") == true, "\(lint.problems)")
        #expect(!lint.problems.contains { $0.message.contains("s3cret") })
    }
}
