import SluiceCore
import SluiceStages
import SluiceVOP
import Testing

@testable import SluicePipeline

/// `vop:` in a pipeline file.
struct VOPSpecTests {
    static func pipeline(columns: String = "[{name: iban}, {name: first_name}, {name: last_name}, {name: name}]", vop: String) throws -> PipelineSpec {
        try PipelineSpec.parse(yaml: """
            name: verified
            target: {table: sluice.verified}
            columns: \(columns)
            vop:
            \(vop)
            """, path: "verified.yaml")
    }

    @Test func anEmptySectionTurnsVerificationOnWithTheDefaults() throws {
        let spec = try Self.pipeline(vop: "  enabled: true")
        let vop = try #require(spec.vop)
        #expect(vop.stage == VOPStageConfiguration(nameColumns: .firstAndLast(first: "first_name", last: "last_name", fallback: "name")))
        #expect(vop.dailyBudget == nil)
        #expect(try Self.pipeline(vop: "  enabled: false").vop == nil)
        let none = try PipelineSpec.parse(yaml: "name: plain\ntarget: {table: sluice.plain}\ncolumns: [{name: iban}]")
        #expect(none.vop == nil)
    }

    @Test func aFullNameColumnAloneIsUsedWhole() throws {
        let spec = try Self.pipeline(columns: "[{name: iban}, {name: holder}]", vop: "  name_column: Holder")
        #expect(spec.vop?.stage.nameColumns == .single("holder"))
    }

    @Test func mistakesAreNamedWithTheirPlace() throws {
        let cases: [(columns: String?, vop: String, says: String)] = [
            (nil, "  sampling_percent: 150", "vop.sampling_percent must be between 0 and 100"),
            (nil, "  max_in_flight: 0", "vop.max_in_flight must be between 1 and 256"),
            (nil, "  account_type: robot", "account_type"),
            (nil, "  iban_column: account", "vop.iban_column 'account' is not one of the pipeline's columns"),
            (nil, "  policy: {no_match: pause}", "policy.no_match"),
            (nil, "  breaker: {failure_rate: 2}", "vop.breaker.failure_rate must be above 0 and at most 1"),
            (nil, "  retries: 3", "vop.retries"),
            ("[{name: iban}, {name: amount}]", "  enabled: true", "vop needs the payee's name"),
            ("[{name: account}, {name: name}]", "  enabled: true", "vop needs an IBAN column"),
        ]
        for example in cases {
            let error = #expect(throws: SluiceError.self) {
                if let columns = example.columns {
                    _ = try Self.pipeline(columns: columns, vop: example.vop)
                } else {
                    _ = try Self.pipeline(vop: example.vop)
                }
            }
            #expect(error?.reason.contains(example.says) == true, "\(example.vop): \(error?.reason ?? "no error")")
            #expect(error?.description.contains("verified.yaml") == true, "the file is named")
        }
    }
}
