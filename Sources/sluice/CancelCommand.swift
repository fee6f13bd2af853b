import ArgumentParser
import Foundation
import SluiceCore
import SluicePostgres

/// `sluice cancel RUN_ID`: asks whichever process works on a run to stop after its batches
/// in flight; a run nobody works on is marked cancelled at once.
struct CancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "Cancel an unfinished run; what it committed stays.",
        discussion: """
            The process holding the run's lease sees the request at its next renewal (within a \
            third of the lease TTL), commits the batches in flight, and ends the run 'cancelled' \
            (its `sluice run` exits 11). Continue a cancelled run with `sluice run … --resume RUN_ID`.
            """
    )

    @Argument(help: "The run id.")
    var runID: String

    func run() async throws {
        let logger = Environment.logger(verbose: false)
        try await reportingErrors {
            guard let id = UUID(uuidString: runID) else { throw SluiceError(.invalidArgument, "RUN_ID must be a run id (UUID)") }
            let outcome = try await Environment.database().withConnection(logger: logger) { connection in
                try await Migrator().migrate(on: connection, logger: logger)
                return try await RunStore(connection: connection, logger: logger).requestCancel(id)
            }
            switch outcome {
            case .requested(let owner):
                print("cancel requested: \(owner) stops run \(runID.lowercased()) after the batches in flight")
            case .cancelled:
                print("run \(runID.lowercased()) was not being worked on; it is cancelled now")
            }
        }
    }
}
