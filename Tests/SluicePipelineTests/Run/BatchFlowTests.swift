import SluiceCore
import SluicePostgres
import Synchronization
import Testing

@testable import SluicePipeline

/// `BatchFlow` with a sink in memory: order, resume skips, failures, the budget stop, stop
/// requests, cancellation, and a slow stage that must not stall the stages before it.
struct BatchFlowTests {
    static let object = SourceObject(uri: "memory:flow", etag: "1", size: 1_000_000)

    /// `batches` batches of `rows` rows each, 10 bytes per row, from offset 100.
    struct SyntheticDecoder: RecordDecoder {
        var batches: Int
        var rows = 4
        var sequence = 0
        var offset: Int64 = 100

        mutating func readSourceHeader() async throws -> SourceHeader {
            SourceHeader(format: .csv, fields: ["a"], dataOffset: 100, dataLine: 2)
        }

        mutating func seek(toOffset offset: Int64, line: Int64, sequence: Int) async throws {
            self.offset = offset
            self.sequence = sequence
        }

        mutating func nextBatch() async throws -> RecordBatch? {
            guard sequence < batches else { return nil }
            var batch = RecordBatch(sequence: sequence, object: BatchFlowTests.object, startOffset: offset)
            for row in 0..<rows {
                batch.rawStarts.append(Int32(batch.arena.count))
                batch.arena.append(contentsOf: Array("row\(row)".utf8))
                batch.rawEnds.append(Int32(batch.arena.count))
                batch.fieldStarts.append(batch.rawStarts.last!)
                batch.fieldEnds.append(batch.rawEnds.last!)
                batch.rowFieldBase.append(Int32(batch.fieldStarts.count))
                batch.offsets.append(offset + Int64(row * 10))
                batch.lines.append(Int64(sequence * rows + row + 2))
                batch.status.append(.accepted)
            }
            offset += Int64(rows * 10)
            batch.nextOffset = offset
            sequence += 1
            return batch
        }
    }

    struct Prepared: PreparedBatch {
        var sequence: Int
        var startOffset: Int64
        var nextOffset: Int64
        var counters: RunCounters
    }

    struct SinkFailure: Error, Equatable {}

    /// Records what it commits; can fail at one batch or wait on a gate.
    final class MemorySink: RecordSink {
        let committed = Mutex<[Int]>([])
        let failAt: Int?

        init(failAt: Int? = nil) { self.failAt = failAt }

        func prepare(_ batch: RecordBatch) -> Prepared {
            Prepared(sequence: batch.sequence, startOffset: batch.startOffset, nextOffset: batch.nextOffset, counters: RunCounters(batch: batch))
        }

        func commit(_ batch: Prepared) async throws {
            if batch.sequence == failAt { throw SinkFailure() }
            try await Task.sleep(for: .microseconds(Int.random(in: 0...300)))
            committed.withLock { $0.append(batch.sequence) }
        }

        var sequences: [Int] { committed.withLock { $0 } }
    }

    /// A stage that notes the batches it saw, optionally sleeping a random time per batch.
    final class ProbeStage: Stage {
        let name: StageName
        let maxConcurrentBatches: Int
        let jitter: Bool
        let seen = Mutex<[Int]>([])
        let failAt: Int?

        init(_ name: String, concurrency: Int = 1, jitter: Bool = false, failAt: Int? = nil) {
            self.name = StageName(rawValue: name)
            self.maxConcurrentBatches = concurrency
            self.jitter = jitter
            self.failAt = failAt
        }

        func process(_ batch: inout RecordBatch) async throws {
            if batch.sequence == failAt { throw SluiceError(.internalError, "probe failed") }
            if jitter { try await Task.sleep(for: .microseconds(Int.random(in: 0...2_000))) }
            seen.withLock { $0.append(batch.sequence) }
            batch.reject(row: 0, code: ReasonCode("probe.\(name)"), message: "seen by \(name)")
        }

        var sequences: [Int] { seen.withLock { $0 } }
    }

    func flow(
        stages: [any Stage] = [], sinks: [MemorySink], skip: [Int: Checkpoint] = [:], firstOffset: Int64 = 100,
        control: RunControl = RunControl(), afterCommit: @escaping @Sendable (Prepared) throws -> Void = { _ in }
    ) -> BatchFlow<MemorySink> {
        BatchFlow(stages: stages, sinks: sinks, skip: skip, firstOffset: firstOffset, control: control, afterCommit: afterCommit)
    }

    @Test func batchesReachASingleSinkInOrderEvenThroughAConcurrentStage() async throws {
        let sink = MemorySink()
        let stages: [any Stage] = [ProbeStage("fast"), ProbeStage("slow", concurrency: 6, jitter: true), ProbeStage("after")]
        let result = try await flow(stages: stages, sinks: [sink]).run(decoder: SyntheticDecoder(batches: 40))
        #expect(sink.sequences == Array(0..<40))
        #expect((stages[2] as! ProbeStage).sequences == Array(0..<40), "the stage after a concurrent one sees batches in order")
        #expect(result.readToEnd)
        #expect(result.counters.rowsRead == 160)
        #expect(result.counters.rowsRejected == 40)
        #expect(result.counters.rejectedByReason["probe.slow"] == 40)
    }

    @Test func twoSinksCommitEveryBatchOnce() async throws {
        let sinks = [MemorySink(), MemorySink()]
        _ = try await flow(sinks: sinks).run(decoder: SyntheticDecoder(batches: 50))
        #expect((sinks[0].sequences + sinks[1].sequences).sorted() == Array(0..<50))
    }

    @Test func batchesCommittedBeforeAResumeAreSkippedOnce() async throws {
        let sink = MemorySink()
        // Resumed at batch 3 (offset 220); batch 5 was committed by the earlier attempt.
        let skip = [5: Checkpoint(batchSequence: 5, startOffset: 300, nextOffset: 340, nextLine: 0)]
        var decoder = SyntheticDecoder(batches: 8)
        try await decoder.seek(toOffset: 220, line: 0, sequence: 3)
        _ = try await flow(sinks: [sink], skip: skip, firstOffset: 220).run(decoder: decoder)
        #expect(sink.sequences == [3, 4, 6, 7])
    }

    @Test func aSkippedBatchThatNoLongerCoversItsSpanStopsTheRun() async throws {
        let sink = MemorySink()
        let skip = [2: Checkpoint(batchSequence: 2, startOffset: 180, nextOffset: 230, nextLine: 0)]
        let error = await #expect(throws: SluiceError.self) {
            _ = try await flow(sinks: [sink], skip: skip).run(decoder: SyntheticDecoder(batches: 5))
        }
        #expect(error?.code == .invariantBroken)
        #expect(!sink.sequences.contains(2))
    }

    @Test func aDecoderThatSkipsASpanIsCaught() async throws {
        let sink = MemorySink()
        let error = await #expect(throws: SluiceError.self) {
            _ = try await flow(sinks: [sink], firstOffset: 90).run(decoder: SyntheticDecoder(batches: 3))
        }
        #expect(error?.code == .invariantBroken)
        #expect(sink.sequences.isEmpty)
    }

    @Test func aSinkFailureFailsTheFlowAndNothingAfterItCommits() async throws {
        let sink = MemorySink(failAt: 3)
        await #expect(throws: SinkFailure.self) {
            _ = try await flow(sinks: [sink]).run(decoder: SyntheticDecoder(batches: 20))
        }
        #expect(sink.sequences == [0, 1, 2])
    }

    @Test func aStageFailureNamesTheStage() async throws {
        let sink = MemorySink()
        let error = await #expect(throws: SluiceError.self) {
            _ = try await flow(stages: [ProbeStage("check", concurrency: 3, failAt: 4)], sinks: [sink]).run(decoder: SyntheticDecoder(batches: 20))
        }
        #expect(error?.stage == "check")
        #expect(!sink.sequences.contains(4))
        #expect(sink.sequences == Array(0..<sink.sequences.count), "what committed is a prefix")
    }

    struct OverBudget: Error {}

    @Test func theBudgetStopEndsTheFlowAfterTheBatchThatBreachedIt() async throws {
        let sink = MemorySink()
        await #expect(throws: OverBudget.self) {
            _ = try await flow(sinks: [sink], afterCommit: { batch in if batch.sequence == 2 { throw OverBudget() } })
                .run(decoder: SyntheticDecoder(batches: 30))
        }
        #expect(sink.sequences == [0, 1, 2])
    }

    @Test func aStopRequestEndsReadingAndLetsInFlightBatchesCommit() async throws {
        let sink = MemorySink()
        let control = RunControl()
        let result = try await flow(stages: [ProbeStage("a"), ProbeStage("b")], sinks: [sink], control: control, afterCommit: { batch in
            if batch.sequence == 4 { control.requestStop(.interrupt) }
        }).run(decoder: SyntheticDecoder(batches: 100))
        #expect(!result.readToEnd)
        let committed = sink.sequences
        #expect(committed == Array(0..<committed.count), "a prefix, no gap")
        #expect(committed.count >= 5 && committed.count < 12, "only the batches already in flight commit after the stop: \(committed.count)")
        #expect(result.counters.batches == Int64(committed.count))
    }

    @Test func cancellingTheTaskEndsTheFlow() async throws {
        let sink = MemorySink()
        let task = Task {
            try await flow(stages: [ProbeStage("slow", jitter: true)], sinks: [sink]).run(decoder: SyntheticDecoder(batches: 1_000_000))
        }
        try await Task.sleep(for: .milliseconds(50))
        task.cancel()
        let stopped = ContinuousClock.now
        _ = await task.result
        #expect(ContinuousClock.now - stopped < .seconds(5), "the flow ends soon after its task is cancelled, not after reading the whole input")
        let committed = sink.sequences
        #expect(committed.count < 1_000_000)
        #expect(committed == Array(0..<committed.count))
    }

    /// A stage held on its first batch: the stage before it and the slow stage's other slots
    /// keep working, and once it is released every batch arrives in order.
    @Test func aSlowStageDoesNotStallTheStagesBeforeIt() async throws {
        let gate = Gate()
        let before = ProbeStage("validate")
        let slow = GatedStage(gate: gate, concurrency: 4)
        let sink = MemorySink()
        let task = Task { try await flow(stages: [before, slow], sinks: [sink]).run(decoder: SyntheticDecoder(batches: 30)) }
        // While batch 0 waits, batches 1, 2 and 3 pass through the slow stage's other slots
        // and the stage before it has handed on more than one batch.
        try await gate.waitUntil { slow.finished.withLock { Set($0) } == [1, 2, 3] }
        #expect(before.sequences.count >= 4)
        #expect(sink.sequences.isEmpty, "nothing may commit before batch 0")
        gate.open()
        _ = try await task.value
        #expect(sink.sequences == Array(0..<30))
    }

    final class Gate: Sendable {
        let opened = Mutex(false)
        func open() { opened.withLock { $0 = true } }
        var isOpen: Bool { opened.withLock { $0 } }
        func waitUntil(_ condition: () -> Bool) async throws {
            let deadline = ContinuousClock.now + .seconds(20)
            while !condition() {
                guard ContinuousClock.now < deadline else { throw SinkFailure() }
                try await Task.sleep(for: .milliseconds(2))
            }
        }
    }

    final class GatedStage: Stage {
        let name: StageName = "vop"
        let maxConcurrentBatches: Int
        let gate: Gate
        let finished = Mutex<[Int]>([])

        init(gate: Gate, concurrency: Int) {
            self.gate = gate
            self.maxConcurrentBatches = concurrency
        }

        func process(_ batch: inout RecordBatch) async throws {
            if batch.sequence == 0 {
                while !gate.isOpen { try await Task.sleep(for: .milliseconds(1)) }
            }
            finished.withLock { $0.append(batch.sequence) }
        }
    }
}
