import AsyncAlgorithms
import SluiceCore
import SluiceFormats
import SluicePostgres

/// The data path of one run: decode → stages → encode → sink, as one task group with one
/// child per step and bounded channels in between.
///
/// `AsyncThrowingChannel` is a rendezvous: a step hands a batch over only when the next
/// step asks for one, so each step holds at most one batch and the reader reads only as
/// fast as PostgreSQL commits.
struct BatchFlow: Sendable {
    let stages: [any Stage]
    let encoder: CopyEncoder
    /// One sink per database connection; each takes the next encoded batch when it is free.
    let sinks: [BatchSink]
    /// Batches a previous attempt already committed past the resume point.
    let skip: Set<Int>
    /// Called after each commit with that batch's counts and next offset; throwing (an
    /// exceeded error budget) stops the run.
    let afterCommit: @Sendable (RunCounters, Int64) throws -> Void

    struct Result {
        var counters: RunCounters
        var stageSeconds: [String: Double]
    }

    /// What one step reports when it ends: its busy time, and for the sink the counts it committed.
    private struct StepResult: Sendable {
        var timings: [String: Duration]
        var counters: RunCounters?
    }

    func run(decoder: consuming any RecordDecoder) async throws -> Result {
        let handOver = HandOver(decoder)
        let decoded = AsyncThrowingChannel<RecordBatch, any Error>()
        let encoded = AsyncThrowingChannel<BatchSink.EncodedBatch, any Error>()
        let clock = ContinuousClock()

        return try await withThrowingTaskGroup(of: StepResult.self) { group in
            group.addTask {
                var decoder = handOver.value
                var busy = Duration.zero
                do {
                    while true {
                        let start = clock.now
                        guard let batch = try await decoder.nextBatch() else { break }
                        busy += clock.now - start
                        await decoded.send(batch)
                    }
                    decoded.finish()
                } catch {
                    decoded.fail(error)
                    throw error
                }
                return StepResult(timings: ["parse": busy])
            }

            group.addTask {
                var stageBusy = Duration.zero
                var encodeBusy = Duration.zero
                var perStage = [Duration](repeating: .zero, count: stages.count)
                do {
                    for try await var batch in decoded {
                        let start = clock.now
                        for (position, stage) in stages.enumerated() {
                            let stageStart = clock.now
                            do {
                                try await stage.process(&batch)
                            } catch let error as SluiceError {
                                throw error.adding(stage: stage.name, object: batch.object.uri)
                            }
                            perStage[position] += clock.now - stageStart
                        }
                        let encodeStart = clock.now
                        let ready = BatchSink.EncodedBatch(batch: batch, encoder: encoder)
                        stageBusy += encodeStart - start
                        encodeBusy += clock.now - encodeStart
                        await encoded.send(ready)
                    }
                    encoded.finish()
                } catch {
                    encoded.fail(error)
                    throw error
                }
                var timings = ["stages": stageBusy, "encode": encodeBusy]
                for (position, stage) in stages.enumerated() { timings["stage." + stage.name] = perStage[position] }
                return StepResult(timings: timings)
            }

            for sink in sinks {
                group.addTask {
                    var busy = Duration.zero
                    var counters = RunCounters()
                    for try await batch in encoded {
                        if skip.contains(batch.sequence) { continue }
                        let start = clock.now
                        try await sink.commit(batch)
                        busy += clock.now - start
                        counters.add(batch.counters)
                        try afterCommit(batch.counters, batch.nextOffset)
                    }
                    return StepResult(timings: ["sink": busy], counters: counters)
                }
            }

            var result = Result(counters: RunCounters(), stageSeconds: [:])
            for try await step in group {
                for (name, duration) in step.timings { result.stageSeconds[name, default: 0] += duration.seconds }
                if let counters = step.counters { result.counters.add(counters) }
            }
            return result
        }
    }
}

/// Moves a value that is not `Sendable` into the one child task that uses it from then on.
/// The decoder holds a network reader that is only ever touched by one task at a time.
private struct HandOver<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: consuming Value) { self.value = value }
}
