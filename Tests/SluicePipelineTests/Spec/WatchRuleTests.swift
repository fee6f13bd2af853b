import SluiceCore
import Testing

@testable import SluicePipeline

/// `watch:` in a pipeline file, and the router that picks a pipeline for a dropped object.
struct WatchRuleTests {
    static func pipeline(_ name: String, watch: String) throws -> PipelineSpec {
        try PipelineSpec.parse(yaml: """
            name: \(name)
            target: {table: sluice.\(name)}
            columns: [{name: iban}]
            watch:
            \(watch)
            """, path: "\(name).yaml")
    }

    @Test func aRuleTakesKeysUnderItsPrefixThatMatchItsGlobAndNothingElse() {
        let rule = WatchRule(bucket: "sluice", prefix: "incoming/", glob: "*.csv")
        #expect(rule.matches(bucket: "sluice", key: "incoming/march.csv"))
        #expect(rule.matches(bucket: "sluice", key: "incoming/März 2026 + extra.csv"))
        #expect(!rule.matches(bucket: "sluice", key: "incoming/march.xlsx"), "the glob")
        #expect(!rule.matches(bucket: "sluice", key: "incoming/archive/march.csv"), "* does not cross /")
        #expect(!rule.matches(bucket: "other", key: "incoming/march.csv"), "another bucket")
        #expect(!rule.matches(bucket: "sluice", key: "outgoing/march.csv"), "another prefix")
        let folder = WatchRule(bucket: "sluice", prefix: "incoming/")
        #expect(folder.matches(bucket: "sluice", key: "incoming/archive/march.csv"), "no glob: everything under the prefix")
        #expect(!folder.matches(bucket: "sluice", key: "incoming/"), "the folder marker itself is no file")
        #expect(!folder.matches(bucket: "sluice", key: "incoming/archive/"))
        #expect(WatchRule(bucket: "b", glob: "debtors-[0-9]*.xlsx").matches(bucket: "b", key: "debtors-7.xlsx"))
        #expect(!WatchRule(bucket: "b", glob: "debtors-[0-9]*.xlsx").matches(bucket: "b", key: "debtors-x.xlsx"))
    }

    @Test func aPipelineFileDeclaresWhatItWatches() throws {
        let spec = try Self.pipeline("drops", watch: """
              - bucket: sluice
                prefix: incoming/
                glob: "*.csv"
              - bucket: sluice
                prefix: incoming/xlsx/
            """)
        #expect(spec.watch == [WatchRule(bucket: "sluice", prefix: "incoming/", glob: "*.csv"), WatchRule(bucket: "sluice", prefix: "incoming/xlsx/")])
        let none = try PipelineSpec.parse(yaml: "name: quiet\ntarget: {table: sluice.quiet}\ncolumns: [{name: iban}]")
        #expect(none.watch.isEmpty)
    }

    @Test func mistakesInWatchAreNamedWithTheirPlace() throws {
        let unknown = #expect(throws: SluiceError.self) {
            try Self.pipeline("drops", watch: "  - bucket: sluice\n    pattern: \"*.csv\"")
        }
        #expect(unknown?.reason.contains("watch[0].pattern") == true, "\(unknown?.reason ?? "")")
        let noBucket = #expect(throws: SluiceError.self) { try Self.pipeline("drops", watch: "  - prefix: incoming/") }
        #expect(noBucket?.reason.contains("bucket") == true, "\(noBucket?.reason ?? "")")
        let badBucket = #expect(throws: SluiceError.self) { try Self.pipeline("drops", watch: "  - bucket: \"no buckets/here\"") }
        #expect(badBucket?.reason.contains("is not an S3 bucket name") == true, "\(badBucket?.reason ?? "")")
        let twice = #expect(throws: SluiceError.self) {
            try Self.pipeline("drops", watch: "  - {bucket: sluice, prefix: in/}\n  - {bucket: sluice, prefix: in/}")
        }
        #expect(twice?.reason.contains("repeats s3://sluice/in/") == true, "\(twice?.reason ?? "")")
    }

    @Test func theMostSpecificRuleWinsAndTheSameRuleTwiceIsRefused() throws {
        let everything = try Self.pipeline("everything", watch: "  - {bucket: sluice}")
        let csv = try Self.pipeline("csv", watch: "  - {bucket: sluice, prefix: incoming/, glob: \"*.csv\"}")
        let incoming = try Self.pipeline("incoming", watch: "  - {bucket: sluice, prefix: incoming/}")
        let router = try WatchRouter(pipelines: [everything, csv, incoming])
        #expect(router.pipeline(bucket: "sluice", key: "incoming/a.csv") == "csv", "a prefix and a glob beat the prefix alone")
        #expect(router.pipeline(bucket: "sluice", key: "incoming/a.xlsx") == "incoming", "the longer prefix beats the bucket")
        #expect(router.pipeline(bucket: "sluice", key: "elsewhere/a.csv") == "everything")
        #expect(router.pipeline(bucket: "other", key: "incoming/a.csv") == nil)
        #expect(router.watchedPrefixes.map { "\($0.bucket)/\($0.prefix)" } == ["sluice/", "sluice/incoming/"])

        let copy = try Self.pipeline("copy", watch: "  - {bucket: sluice, prefix: incoming/, glob: \"*.csv\"}")
        let clash = #expect(throws: SluiceError.self) { try WatchRouter(pipelines: [csv, copy]) }
        #expect(clash?.reason.contains("pipelines csv and copy both watch s3://sluice/incoming/*.csv") == true, "\(clash?.reason ?? "")")
    }
}
