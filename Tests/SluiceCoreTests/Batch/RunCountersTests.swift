import Testing

@testable import SluiceCore

struct RunCountersTests {
    @Test func rejectionsAreSummedByTheStageThatGivesEachCode() {
        var counters = RunCounters()
        counters.rejectedByReason = ["iban.checksum": 3, "email.format": 2, "iban.required": 4, "dedup.in_file": 1, "encoding.invalid_utf8": 5]
        #expect(counters.rejectedByStage == ["validate": 5, "map": 4, "dedup": 1, "parse": 5])
        #expect(RunCounters().rejectedByStage.isEmpty)
    }
}
