import Logging
import SluiceCore
import SluiceJobs
import SluicePipeline
import Tracing

extension RunJobHandler {
    /// One attempt of the job's run under a `run` span, its rows counted for `/metrics`, and
    /// logged with the job's metadata (`job`, `pipeline`; the runner adds `run` and `object`).
    func observedRun(_ spec: PipelineSpec, job: ClaimedJob, input: String, options: RunOptions, logger: Logger) async throws -> RunSummary {
        var options = options
        let metrics = RunMetrics.shared
        let attempt = metrics.begin(pipeline: spec.name)
        let previous = options.onProgress
        options.onProgress = { progress in
            previous?(progress)
            metrics.committed(progress, attempt: attempt)
        }
        let runner = PipelineRunner(connections: self.runner.connections, inputs: self.runner.inputs, logger: logger)
        let runOptions = options
        logger.info("run started", metadata: ["object": "\(input)", "attempt": "\(job.attempt)"])
        return try await withSpan("run", ofKind: .consumer) { span in
            span.attributes["sluice.pipeline"] = spec.name
            span.attributes["sluice.object"] = SensitiveText.mask(input)
            span.attributes["sluice.job"] = Int(job.id)
            do {
                let summary = try await runner.run(spec, input: input, options: runOptions)
                span.attributes["sluice.run_id"] = summary.run.idText
                span.attributes["sluice.run.status"] = summary.run.status.rawValue
                span.attributes["sluice.rows_read"] = Int(summary.thisAttempt.rowsRead)
                metrics.ended(attempt, outcome: summary.run.status.rawValue)
                return summary
            } catch let error as SluiceError where error.code == .alreadyLoaded || error.code == .runNotResumable {
                metrics.ended(attempt, outcome: "skipped")
                throw error
            } catch {
                metrics.ended(attempt, outcome: "error")
                throw error
            }
        }
    }
}
