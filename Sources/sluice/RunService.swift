import Logging
import ServiceLifecycle
import SluiceCore
import SluicePipeline
import Synchronization

/// One run as a service of `sluice run`'s `ServiceGroup`, after the `PostgresClient` it uses
/// (so the pool shuts down last). A graceful shutdown (SIGTERM, SIGINT) asks the run to stop
/// after the batches in flight; it then ends `interrupted`.
struct RunService: Service {
    let runner: PipelineRunner
    let spec: PipelineSpec
    let input: String
    let options: RunOptions
    /// Where the summary goes, for the command to print once the group has ended.
    let summary = SummaryBox()

    final class SummaryBox: Sendable {
        private let value = Mutex<RunSummary?>(nil)
        func set(_ summary: RunSummary) { value.withLock { $0 = summary } }
        var current: RunSummary? { value.withLock { $0 } }
    }

    func run() async throws {
        let control = options.control
        try await withGracefulShutdownHandler {
            let result = try await runner.run(spec, input: input, options: options)
            summary.set(result)
        } onGracefulShutdown: {
            control.requestStop(.interrupt)
        }
    }
}
