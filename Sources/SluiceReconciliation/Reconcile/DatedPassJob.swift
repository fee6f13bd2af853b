import Logging
import SluiceCore
import SluiceGenesis
import SluiceJobs

/// What the by-date refresh and the chargeback sync jobs share: read the payload's days, run
/// the pass for its terminal or every terminal, fail for good when a named terminal has no
/// credentials (retrying cannot help), and fail the try (to be retried, and seen in the job
/// list) when any terminal failed.
struct DatedPassJob {
    let reconciler: Reconciler
    let logger: Logger

    func run(_ job: ClaimedJob, kind: String, pass: (String, GatewayDateRange) async throws -> PassSummary) async throws {
        let payload = try ReconciliationJobPayload.decode(job)
        let range = try payload.range()
        let summary: PassSummary
        do {
            summary = try await reconciler.eachTerminal(payload.terminal) { terminal in try await pass(terminal, range) }
        } catch let error as SluiceError where error.code == .invalidArgument {
            throw JobFailedPermanently(error.description)
        }
        logger.info("\(kind) done", metadata: ["job": "\(job.id)", "summary": "\(summary.text)"])
        if !summary.failures.isEmpty {
            throw SluiceError(.gateway, "\(kind) failed for \(summary.failures.count) terminals: \(summary.failures.joined(separator: "; "))")
        }
    }
}
