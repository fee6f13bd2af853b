import Testing

@testable import SluicePostgres

struct ResumePointTests {
    static func checkpoint(_ sequence: Int) -> Checkpoint {
        Checkpoint(batchSequence: sequence, startOffset: Int64(sequence * 10), nextOffset: Int64(sequence * 10 + 10), nextLine: Int64(sequence + 2))
    }

    @Test func aFreshRunStartsAtTheBeginning() {
        let point = ResumePoint(checkpoints: [])
        #expect(point.offset == nil)
        #expect(point.nextSequence == 0)
        #expect(point.committedAfter.isEmpty)
    }

    @Test func resumesAfterTheLongestCommittedPrefixAndSkipsLaterBatches() {
        // Parallel sinks committed 0, 1, 2, 4 and 6 before the process died.
        let point = ResumePoint(checkpoints: [0, 1, 2, 4, 6].map(Self.checkpoint))
        #expect(point.offset == 30)
        #expect(point.line == 4)
        #expect(point.nextSequence == 3)
        #expect(point.committedAfter == [4, 6])
    }
}
