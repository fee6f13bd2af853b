import AsyncAlgorithms
import SluiceCore
import SluiceFormats
import SluicePostgres
import Tracing

/// The data path of one run: decode → each stage → prepare → sink, as one task group with one
/// child per step and bounded channels in between.
///
/// `AsyncThrowingChannel` is a rendezvous: a step hands a batch over only when the next step
/// asks for one, so each step holds at most one batch (a stage that may work on `k` batches at
/// once holds `k`), and the reader reads only as fast as PostgreSQL commits. A stage that
/// works on several batches at once puts them back in order before handing them on, so the
/// sink sees batches in order and checkpoints stay ordered.
///
/// Generic over its sink, so it is tested with a sink in memory.
struct BatchFlow<Sink: RecordSink>: Sendable {
    let stages: [any Stage]
    /// One sink per database connection; each takes the next prepared batch when it is free.
    let sinks: [Sink]
    /// Batches a previous attempt already committed past the resume point, by sequence. They
    /// are decoded again but not committed; each must cover the same span of the source.
    let skip: [Int: Checkpoint]
    /// Where the first batch must start: the first data position, or the resume point.
    let firstOffset: Int64
    /// Asked to stop, the flow stops reading and lets the batches in flight commit.
    var control = RunControl()
    /// Called after each commit; throwing (an exceeded error budget) stops the run.
    let afterCommit: @Sendable (Sink.Prepared) throws -> Void

    struct Result {
        var counters: RunCounters
        var stageSeconds: [String: Double]
        /// Whether the decoder reached the end of the input (not stopped on request).
        var readToEnd: Bool
    }

    /// What one step reports when it ends: its busy time, and for the sink the counts it committed.
    private struct StepResult: Sendable {
        var timings: [String: Duration]
        var counters: RunCounters?
        var readToEnd: Bool?
    }

    func run(decoder: consuming any RecordDecoder) async throws -> Result {
        let handOver = HandOver(decoder)
        // channels[i] feeds stage i; channels[stages.count] feeds the prepare step.
        let channels = (0...stages.count).map { _ in AsyncThrowingChannel<RecordBatch, any Error>() }
        let prepared = AsyncThrowingChannel<Sink.Prepared, any Error>()
        let clock = ContinuousClock()
        let firstOffset = self.firstOffset
        let control = self.control

        return try await withThrowingTaskGroup(of: StepResult.self) { group in
            group.addTask {
                var decoder = handOver.value
                var busy = Duration.zero
                var accounting = RowAccounting(firstOffset: firstOffset)
                var readToEnd = false
                let output = channels[0]
                do {
                    while control.stopReason == nil {
                        // A cancelled `send` returns at once: without this the loop would read on.
                        try Task.checkCancellation()
                        let start = clock.now
                        guard let batch = try await decoder.nextBatch() else {
                            readToEnd = true
                            break
                        }
                        busy += clock.now - start
                        if let breach = accounting.check(batch) {
                            throw SluiceError(.invariantBroken, "the input's rows do not add up: \(breach)", stage: "parse", object: batch.object.uri)
                        }
                        await output.send(batch)
                    }
                    output.finish()
                } catch {
                    output.fail(error)
                    throw error
                }
                return StepResult(timings: ["parse": busy], readToEnd: readToEnd)
            }

            for (position, stage) in stages.enumerated() {
                let input = channels[position]
                let output = channels[position + 1]
                group.addTask {
                    do {
                        let busy = try await Self.run(stage, from: input, to: output, clock: clock)
                        output.finish()
                        return StepResult(timings: ["stage." + stage.name.rawValue: busy])
                    } catch {
                        output.fail(error)
                        throw error
                    }
                }
            }

            let prepareSink = sinks[0]
            group.addTask {
                var busy = Duration.zero
                do {
                    for try await batch in channels[stages.count] {
                        let start = clock.now
                        let ready = try prepareSink.prepare(batch)
                        busy += clock.now - start
                        await prepared.send(ready)
                    }
                    prepared.finish()
                } catch {
                    prepared.fail(error)
                    throw error
                }
                return StepResult(timings: ["encode": busy])
            }

            for sink in sinks {
                group.addTask {
                    var busy = Duration.zero
                    var counters = RunCounters()
                    for try await batch in prepared {
                        if let committed = skip[batch.sequence] {
                            guard committed.startOffset == batch.startOffset, committed.nextOffset == batch.nextOffset else {
                                throw SluiceError(.invariantBroken, """
                                    batch \(batch.sequence) was committed for positions \(committed.startOffset)..<\(committed.nextOffset), \
                                    but reading the input again gives \(batch.startOffset)..<\(batch.nextOffset); resuming would load rows \
                                    twice or lose some
                                    """, stage: "sink")
                            }
                            continue
                        }
                        let start = clock.now
                        // One span per committed batch, under the run's (a no-op unless tracing is bootstrapped).
                        try await withSpan("batch") { span in
                            span.attributes["sluice.batch.sequence"] = batch.sequence
                            span.attributes["sluice.batch.rows"] = Int(batch.counters.rowsRead)
                            try await sink.commit(batch)
                        }
                        busy += clock.now - start
                        counters.add(batch.counters)
                        try afterCommit(batch)
                    }
                    return StepResult(timings: ["sink": busy], counters: counters)
                }
            }

            var result = Result(counters: RunCounters(), stageSeconds: [:], readToEnd: false)
            var stagesBusy = 0.0
            for try await step in group {
                for (name, duration) in step.timings {
                    result.stageSeconds[name, default: 0] += duration.seconds
                    if name.hasPrefix("stage.") { stagesBusy += duration.seconds }
                }
                if let counters = step.counters { result.counters.add(counters) }
                if let readToEnd = step.readToEnd { result.readToEnd = readToEnd }
            }
            result.stageSeconds["stages"] = stagesBusy
            return result
        }
    }

    /// Runs one stage over its input until the input ends; returns its busy time. A stage
    /// that may work on several batches at once starts up to that many, and hands them on in
    /// sequence order as they finish.
    private static func run(
        _ stage: any Stage, from input: AsyncThrowingChannel<RecordBatch, any Error>, to output: AsyncThrowingChannel<RecordBatch, any Error>,
        clock: ContinuousClock
    ) async throws -> Duration {
        @Sendable func process(_ batch: consuming RecordBatch) async throws -> (RecordBatch, Duration) {
            var batch = batch
            let rows = batch.rowCount
            let start = clock.now
            do {
                try await stage.process(&batch)
            } catch let error as SluiceError {
                throw error.adding(stage: stage.name, object: batch.object.uri)
            }
            guard batch.rowCount == rows, batch.status.count == rows else {
                throw SluiceError(
                    .invariantBroken, "batch \(batch.sequence) had \(rows) rows before stage \(stage.name) and \(batch.rowCount) after",
                    stage: stage.name, object: batch.object.uri)
            }
            return (batch, clock.now - start)
        }

        var busy = Duration.zero
        let limit = max(1, stage.maxConcurrentBatches)
        if limit == 1 {
            for try await batch in input {
                let (done, time) = try await process(batch)
                busy += time
                await output.send(done)
            }
            return busy
        }
        return try await withThrowingTaskGroup(of: (RecordBatch, Duration).self) { group in
            var iterator = input.makeAsyncIterator()
            var finished: [Int: RecordBatch] = [:]
            var nextSequence: Int?
            var inFlight = 0
            var inputEnded = false
            while true {
                // Batches waiting for an earlier one count against the limit too.
                while !inputEnded && inFlight + finished.count < limit {
                    guard let batch = try await iterator.next() else {
                        inputEnded = true
                        break
                    }
                    if nextSequence == nil { nextSequence = batch.sequence }
                    inFlight += 1
                    group.addTask { try await process(batch) }
                }
                guard inFlight > 0, let (done, time) = try await group.next() else { break }
                inFlight -= 1
                busy += time
                finished[done.sequence] = done
                while let sequence = nextSequence, let ready = finished.removeValue(forKey: sequence) {
                    await output.send(ready)
                    nextSequence = sequence + 1
                }
            }
            guard finished.isEmpty else {
                throw SluiceError(.invariantBroken, "stage \(stage.name) was left with batches \(finished.keys.sorted()) after a gap in the sequence", stage: stage.name)
            }
            return busy
        }
    }
}

/// Moves a value that is not `Sendable` into the one child task that uses it from then on.
/// The decoder holds a network reader that is only ever touched by one task at a time.
struct HandOver<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: consuming Value) { self.value = value }
}
