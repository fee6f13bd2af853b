import SluiceCore
import SluicePipeline
import SluiceStages
import Testing

struct ScreeningSpecTests {
    func spec(_ extra: String) throws -> PipelineSpec {
        try PipelineSpec.parse(yaml: """
            name: t
            target: {table: s.t}
            columns: [{name: external_id}, {name: iban}, {name: amount}, {name: email}]
            \(extra)
            """)
    }

    @Test func defaultsAreIBANAmountAndReferenceAllChecksAndNoBudget() throws {
        let spec = try spec("")
        #expect(spec.dedupKey == ["iban", "amount", "external_id"])
        #expect(spec.screening == ScreeningRules())
        #expect(spec.screening.cooldownDays == 30)
        #expect(!spec.errorBudget.isLimited)
    }

    @Test func theSectionsAreRead() throws {
        let spec = try spec("""
            dedup: {key: iban}
            screening: {cooldown_days: 7, checks: [iban_blacklist, cooldown]}
            error_budget: {max_rejected_ratio: 0.05, max_rejected_rows: 1000}
            """)
        #expect(spec.dedupKey == ["iban"])
        #expect(spec.screening.cooldownDays == 7)
        #expect(spec.screening.checks == [.ibanBlacklist, .cooldown])
        #expect(spec.errorBudget == ErrorBudget(maxRejectedRatio: 0.05, maxRejectedRows: 1000))
        #expect(try self.spec("dedup: {enabled: false}").dedupKey.isEmpty)
    }

    @Test(arguments: [
        ("dedup: {key: [iban, nope]}", "dedup.key column 'nope'"),
        ("error_budget: {max_rejected_ratio: 5}", "between 0 and 1"),
        ("screening: {checks: [iban_blacklist, astrology]}", "checks"),
    ])
    func mistakesAreNamed(extra: String, message: String) {
        #expect {
            _ = try spec(extra)
        } throws: { error in
            "\(error)".contains(message)
        }
    }

    @Test func budgetsBreakOnRowsAtOnceAndOnTheRatioAtTheEnd() {
        let budget = ErrorBudget(maxRejectedRatio: 0.1, maxRejectedRows: 50)
        var counters = RunCounters()
        counters.rowsRead = 100
        counters.rowsRejected = 20
        #expect(budget.rowLimitBreach(counters) == nil)
        #expect(budget.finalBreach(counters) == "20 of 100 rows rejected (20.0%), more than max_rejected_ratio (10.0%)")
        counters.rowsRejected = 51
        #expect(budget.rowLimitBreach(counters) == "51 rows rejected, more than max_rejected_rows (50)")
        counters.rowsRejected = 10
        #expect(budget.finalBreach(counters) == nil, "exactly the ratio is within budget")
    }
}
