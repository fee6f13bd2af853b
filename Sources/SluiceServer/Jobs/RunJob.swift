import Foundation
import Logging
import ServiceLifecycle
import SluiceCore
import SluiceJobs
import SluicePipeline

/// What a `run` job asks for: one pipeline over one object.
public struct RunJobPayload: Sendable, Hashable, Codable {
    public var pipeline: String
    public var input: String
    /// Continue this run (`POST /v1/runs/{id}/resume`).
    public var resume: UUID?
    /// The id a new run gets (an upload's answer names it before a worker starts it).
    public var runID: UUID?

    public init(pipeline: String, input: String, resume: UUID? = nil, runID: UUID? = nil) {
        self.pipeline = pipeline
        self.input = input
        self.resume = resume
        self.runID = runID
    }

    enum CodingKeys: String, CodingKey {
        case pipeline, input, resume, runID = "run_id"
    }

    /// The queue a run of `pipeline` waits in: served only by nodes that have the pipeline, so a
    /// node without it (a rolling deploy, a node with another folder) never takes the job.
    public static func queue(for pipeline: String) -> String { "pipeline:\(pipeline)" }
}

/// Runs `run` jobs with the same engine as `sluice run`.
///
/// A job runs at least once; a load is idempotent by its run identity (pipeline, object,
/// ETag): a second attempt resumes the unfinished run from its last checkpoint, and an object
/// already loaded completes the job without loading it again.
///
/// At graceful shutdown the run stops after the batches in flight (they commit), ends
/// `interrupted`, and the job is given back (`JobReleased`) for any node to resume at once.
/// A run that ends `failed` or `cancelled` completes its job: the run record says why, and an
/// operator resumes it with `POST /v1/runs/{id}/resume`. Errors thrown on the way (the database
/// or the bucket away) fail the attempt, which is retried with backoff; errors no retry fixes
/// (`permanentCodes`) make the job dead at once.
public struct RunJobHandler: JobHandler {
    public static let kind = "run"
    public var kind: String { Self.kind }

    let catalog: PipelineCatalog
    let runner: PipelineRunner
    let logger: Logger

    public init(catalog: PipelineCatalog, runner: PipelineRunner, logger: Logger) {
        self.catalog = catalog
        self.runner = runner
        self.logger = logger
    }

    /// Errors that no retry fixes: unreadable input, an invalid pipeline, a run whose rows do not
    /// add up, a missing object. Everything else (the database or the bucket away, a lost lease)
    /// is retried with backoff.
    static let permanentCodes: Set<SluiceError.Code> = [.format, .invalidPipeline, .invalidArgument, .invariantBroken, .sourceNotFound]

    public func run(_ job: ClaimedJob) async throws {
        let request = try job.decodePayload(as: RunJobPayload.self)
        let spec = try catalog.pipeline(named: request.pipeline)
        var logger = self.logger
        logger[metadataKey: "job"] = "\(job.id)"
        logger[metadataKey: "pipeline"] = "\(spec.name)"
        var options = RunOptions(resumeRunID: request.resume)
        options.newRunID = request.runID
        let control = options.control
        do {
            let summary = try await withGracefulShutdownHandler {
                try await observedRun(spec, job: job, input: request.input, options: options, logger: logger)
            } onGracefulShutdown: {
                control.requestStop(.interrupt)
            }
            logger.info("run ended", metadata: ["run": "\(summary.run.idText)", "status": "\(summary.run.status.rawValue)"])
            if summary.run.status == .interrupted {
                throw JobReleased("run \(summary.run.idText) stopped for shutdown after its last checkpoint")
            }
        } catch let error as SluiceError where error.code == .alreadyLoaded || error.code == .runNotResumable {
            // Loaded already, or an operator cancelled this version's run: nothing to do.
            logger.info("nothing to run", metadata: ["input": "\(request.input)", "reason": "\(error.reason)"])
        } catch let error as SluiceError where Self.permanentCodes.contains(error.code) {
            // The file or the pipeline is wrong: another attempt would fail the same way. The
            // run (when one was created) is `failed` with the reason; the job is dead at once.
            throw JobFailedPermanently(error.description)
        }
    }
}
