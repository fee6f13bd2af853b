import Metrics
import SluiceCore
import SluicePipeline
import Synchronization

/// What the runs this node works on report to swift-metrics, batch by batch:
///
/// - `sluice_rows_total{pipeline,outcome}`: rows of committed batches, `outcome` one of
///   `accepted` (flagged rows included), `rejected`, `flagged`, `skipped`;
/// - `sluice_run_rows_per_second{pipeline}`: rows read per second by the runs of the pipeline
///   in progress here (summed; 0 when none is);
/// - `sluice_runs_finished_total{pipeline,status}`: attempts that ended on this node, by the
///   run's status, `skipped` (already loaded, not resumable) or `error` (the attempt threw).
///
/// One per process (`shared`, like the metrics system itself); each attempt is an `Attempt`. Work happens per committed batch (a few
/// counter increments and one lock), never per row.
public final class RunMetrics: Sendable {
    private struct State {
        var nextID = 0
        /// Rows per second of each attempt in progress, by attempt id.
        var rates: [Int: (pipeline: String, rate: Double)] = [:]
    }

    private let state = Mutex(State())

    public static let shared = RunMetrics()

    public init() {}

    /// One run attempt's handles, made once when it starts.
    public final class Attempt: Sendable {
        let id: Int
        let pipeline: String
        let accepted: Counter
        let rejected: Counter
        let flagged: Counter
        let skipped: Counter

        init(id: Int, pipeline: String) {
            self.id = id
            self.pipeline = pipeline
            func rows(_ outcome: String) -> Counter {
                Counter(label: "sluice_rows_total", dimensions: [("pipeline", pipeline), ("outcome", outcome)])
            }
            accepted = rows("accepted")
            rejected = rows("rejected")
            flagged = rows("flagged")
            skipped = rows("skipped")
        }
    }

    public func begin(pipeline: String) -> Attempt {
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        return Attempt(id: id, pipeline: pipeline)
    }

    /// After each committed batch: its rows by outcome, and the attempt's rate so far.
    public func committed(_ progress: RunProgress, attempt: Attempt) {
        let batch = progress.batch
        attempt.accepted.add(batch.rowsAccepted)
        attempt.rejected.add(batch.rowsRejected)
        attempt.flagged.add(batch.rowsFlagged)
        attempt.skipped.add(batch.rowsSkipped)
        let seconds = Double(progress.elapsed.components.seconds) + Double(progress.elapsed.components.attoseconds) / 1e18
        let rate = seconds > 0 ? Double(progress.counters.rowsRead) / seconds : 0
        publishRate(of: attempt.pipeline) { $0[attempt.id] = (attempt.pipeline, rate) }
    }

    /// The attempt ended: the run's status, `skipped` or `error`.
    public func ended(_ attempt: Attempt, outcome: String) {
        publishRate(of: attempt.pipeline) { $0[attempt.id] = nil }
        Counter(label: "sluice_runs_finished_total", dimensions: [("pipeline", attempt.pipeline), ("status", outcome)]).increment()
    }

    private func publishRate(of pipeline: String, _ change: (inout [Int: (pipeline: String, rate: Double)]) -> Void) {
        let total = state.withLock { state in
            change(&state.rates)
            return state.rates.values.reduce(0.0) { $0 + ($1.pipeline == pipeline ? $1.rate : 0) }
        }
        Gauge(label: "sluice_run_rows_per_second", dimensions: [("pipeline", pipeline)]).record(total)
    }
}

extension Counter {
    fileprivate func add(_ value: Int64) {
        if value > 0 { increment(by: value) }
    }
}
