import Logging
import SluiceCore
import SluiceJobs
import SluicePipeline

/// What a `run` job asks for: one pipeline over one object.
public struct RunJobPayload: Sendable, Hashable, Codable {
    public var pipeline: String
    public var input: String

    public init(pipeline: String, input: String) {
        self.pipeline = pipeline
        self.input = input
    }
}

/// Runs `run` jobs with the same engine as `sluice run`.
///
/// A job runs at least once; a load is idempotent by its run identity (pipeline, object,
/// ETag): a second attempt resumes the unfinished run from its last checkpoint, and an object
/// already loaded completes the job without loading it again.
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

    public func run(_ job: ClaimedJob) async throws {
        let request = try job.decodePayload(as: RunJobPayload.self)
        let spec = try catalog.pipeline(named: request.pipeline)
        do {
            let summary = try await runner.run(spec, input: request.input)
            logger.info("run finished", metadata: [
                "job": "\(job.id)", "run": "\(summary.run.idText)", "status": "\(summary.run.status.rawValue)", "pipeline": "\(spec.name)",
            ])
        } catch let error as SluiceError where error.code == .alreadyLoaded {
            logger.info("object already loaded; nothing to do", metadata: ["job": "\(job.id)", "input": "\(request.input)"])
        }
    }
}
